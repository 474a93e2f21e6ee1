// Export progress on Settings → Your data (features/data). The member's live channel pushes
// each export's status fragment out of band (after every chunk, and the final Done/Failed);
// the 2 s poll a running export carries is only the fallback for a page without a socket.
// This file:
//  - cancels each poll while the socket is open (and while it is still connecting, for the
//    first few seconds), so a live page sends no polling request at all;
//  - tells the hub which export the page shows ("export-watch") each time the socket opens and
//    when a new export appears (the form, under htmx, replaces only its card): the hub then
//    pushes it that export's progress, and at once the latest state it holds, so a job that
//    moved (or finished) between the page's render and the socket is not missed;
//  - lets the form's 409/429 answers (already running, daily limit) replace the card too;
//  - drops a fragment that is not newer than what the page shows (pushed or polled), so the
//    bar never jumps back.
// Without a socket (refused, closed, blocked by a proxy) the polls run as before; without
// JavaScript the Refresh link does their job.
;(function () {
  'use strict'
  if (typeof htmx === 'undefined') return
  var CONNECT_GRACE_MS = 5000
  var loadedAt = Date.now()
  var socket = null
  var watched = 0

  function isExport(elt) {
    return !!(elt && elt.hasAttribute && elt.hasAttribute('data-export-rev'))
  }

  function revision(elt) {
    return Number(elt.getAttribute('data-export-rev')) || 0
  }

  function pollsSuspended() {
    var state = document.documentElement.getAttribute('data-live')
    if (state === 'open') return true
    // A member's page opens a socket (#live): give it a moment before falling back to polls.
    return !state && document.getElementById('live') !== null && Date.now() - loadedAt < CONNECT_GRACE_MS
  }

  document.addEventListener('htmx:confirm', function (event) {
    if (isExport(event.detail.elt) && pollsSuspended()) event.preventDefault()
  })

  function watchRunningExport(root) {
    var running = root.querySelector && root.querySelector('.exports [data-export-rev][data-hx-get]')
    var id = running ? Number(running.id.replace('export-', '')) : 0
    if (!socket || !(id > 0) || id === watched) return
    watched = id
    socket.send(JSON.stringify({ type: 'export-watch', id: id }))
  }

  document.addEventListener('htmx:wsOpen', function (event) {
    socket = event.detail.socketWrapper
    watched = 0 // a new connection: the hub knows nothing about this page yet
    watchRunningExport(document)
  })
  document.addEventListener('htmx:wsClose', function () {
    socket = null
  })
  // New content (the export card after the form, or a pushed status): a new export to watch?
  document.addEventListener('htmx:load', function (event) {
    if (event.detail.elt && event.detail.elt.closest && event.detail.elt.closest('#export-section')) {
      watchRunningExport(document)
    }
  })

  // A pushed status: swap it only if it is newer than the one shown.
  document.addEventListener('htmx:oobBeforeSwap', function (event) {
    var target = event.detail.target
    if (!isExport(target)) return
    var incoming = event.detail.fragment && event.detail.fragment.querySelector('[data-export-rev]')
    if (incoming && revision(incoming) <= revision(target)) event.detail.shouldSwap = false
  })

  // A polled status (a poll that was in flight when a push arrived): the same rule.
  document.addEventListener('htmx:beforeSwap', function (event) {
    var elt = event.detail.elt
    // The form's refusals (409 already running, 429 daily limit) carry the card with the reason.
    var status = event.detail.xhr && event.detail.xhr.status
    if (elt && elt.closest && elt.closest('#export-section form') && (status === 409 || status === 429)) {
      event.detail.shouldSwap = true
      event.detail.isError = false
      return
    }
    if (!isExport(elt) || typeof event.detail.serverResponse !== 'string') return
    var match = /data-export-rev="(\d+)"/.exec(event.detail.serverResponse)
    if (match && Number(match[1]) <= revision(elt)) event.detail.shouldSwap = false
  })
})()
