// Microblog's small client script: relative times. Everything works without it.
;(function () {
  'use strict'
  var lang = document.documentElement.lang || 'en'
  var rtf =
    typeof Intl !== 'undefined' && Intl.RelativeTimeFormat
      ? new Intl.RelativeTimeFormat(lang, { numeric: 'auto' })
      : null
  var abs = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' })
  var UNITS = [
    ['year', 365 * 24 * 3600],
    ['month', 30 * 24 * 3600],
    ['week', 7 * 24 * 3600],
    ['day', 24 * 3600],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ]

  function relative(date) {
    var seconds = Math.round((date.getTime() - Date.now()) / 1000)
    for (var i = 0; i < UNITS.length; i++) {
      var unit = UNITS[i]
      if (Math.abs(seconds) >= unit[1] || unit[0] === 'second') {
        if (unit[0] === 'second' && Math.abs(seconds) < 45) return rtf.format(0, 'second')
        return rtf.format(Math.round(seconds / unit[1]), unit[0])
      }
    }
    return ''
  }

  function render(root) {
    if (!rtf) return
    var nodes = (root || document).querySelectorAll('time[data-relative]')
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i]
      var date = new Date(el.getAttribute('datetime'))
      if (isNaN(date.getTime())) continue
      el.textContent = relative(date)
      el.title = abs.format(date)
      el.setAttribute('data-rendered', '')
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    render(document)
    setInterval(function () {
      render(document)
    }, 60000)
  })
  document.addEventListener('htmx:load', function (event) {
    render(event.target)
  })
})()
