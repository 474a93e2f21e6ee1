// The post composer's counter (issue 9): characters left, counted like the server does
// (user-perceived characters of the trimmed text, with Intl.Segmenter), a warning under 20
// and an over-limit state that disables Post. The visible count is not a live region;
// screen readers hear a polite message only when a threshold is crossed.
;(function () {
  'use strict'
  var WARN_AT = 20
  var segmenter =
    typeof Intl !== 'undefined' && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null
  var plural = new Intl.PluralRules(document.documentElement.lang || 'en')

  function count(text) {
    var trimmed = text.trim()
    if (!segmenter) return Array.from(trimmed).length
    var n = 0
    var it = segmenter.segment(trimmed)[Symbol.iterator]()
    while (!it.next().done) n++
    return n
  }

  function phrase(counter, kind, n) {
    var form = plural.select(n)
    var template =
      counter.getAttribute('data-' + kind + '-' + form) || counter.getAttribute('data-' + kind + '-other') || ''
    return template.replace('{count}', String(n))
  }

  function update(form, announce) {
    var textarea = form.querySelector('textarea')
    var counter = form.querySelector('.char-counter')
    var status = form.querySelector('.char-status')
    var button = form.querySelector('button[type=submit]')
    if (!textarea || !counter) return
    var max = Number(counter.getAttribute('data-max'))
    var left = max - count(textarea.value)
    var state = left < 0 ? 'over' : left < WARN_AT ? 'warn' : 'ok'
    counter.hidden = false
    counter.textContent = left < 0 ? phrase(counter, 'over', -left) : phrase(counter, 'left', left)
    counter.classList.toggle('warn', state === 'warn')
    counter.classList.toggle('over', state === 'over')
    if (button) {
      if (state === 'over') button.setAttribute('aria-disabled', 'true')
      else button.removeAttribute('aria-disabled')
      button.disabled = state === 'over'
    }
    var previous = form.getAttribute('data-counter-state') || 'ok'
    form.setAttribute('data-counter-state', state)
    if (announce && status && state !== previous && state !== 'ok') status.textContent = counter.textContent
    if (announce && status && state === 'ok') status.textContent = ''
  }

  function init(root) {
    var forms = (root || document).querySelectorAll('form.post-form')
    for (var i = 0; i < forms.length; i++) update(forms[i], false)
  }

  document.addEventListener('input', function (event) {
    var form = event.target.closest && event.target.closest('form.post-form')
    if (form && event.target.tagName === 'TEXTAREA') update(form, true)
  })
  // htmx re-enables Post after a request: an over-long text keeps it disabled.
  document.addEventListener('htmx:afterRequest', function () {
    init(document)
  })
  document.addEventListener('DOMContentLoaded', function () {
    init(document)
  })
  document.addEventListener('htmx:load', function (event) {
    init(event.target.parentNode || event.target)
  })
})()
