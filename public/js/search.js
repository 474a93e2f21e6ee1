/* global location, URLSearchParams */
// The search boxes (src/features/search/views.tsx: the navigation's, and the search page's
// own on phones). In the navigation's, htmx sends the typing to /search, swaps the results
// into #main and pushes the URL. Before it saves the page for Back/Forward, each box's value
// attribute is set to the query that page shows (its address's q), so Back restores the
// query together with its results. Without JavaScript a box is a plain GET form.
;(function () {
  'use strict'
  document.addEventListener('htmx:beforeHistorySave', function () {
    var shown = location.pathname === '/search' ? new URLSearchParams(location.search).get('q') || '' : ''
    var boxes = document.querySelectorAll('form[role="search"] input[name="q"]')
    for (var i = 0; i < boxes.length; i++) boxes[i].setAttribute('value', shown)
  })
  // After Back/Forward, the restored box shows the restored query.
  document.addEventListener('htmx:historyRestore', function () {
    var boxes = document.querySelectorAll('form[role="search"] input[name="q"]')
    for (var i = 0; i < boxes.length; i++) boxes[i].value = boxes[i].getAttribute('value') || ''
  })
})()
