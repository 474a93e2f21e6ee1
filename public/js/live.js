// Microblog live updates (members only). htmx-ext-ws opens the socket declared by
// <div id="live" data-ws-connect="/live"> and swaps the out-of-band fragments the member's
// hub pushes (unread badge, new messages, "N new posts", follower count); it reconnects
// with jittered exponential backoff on its own. This file adds what the extension does not:
//  - a hidden tab keeps its socket but renders nothing until it is visible again;
//  - the "N new posts" bar resets the hub's count once the new posts are shown;
//  - a thread keeps its newest message in view.
// There is no timer and no polling: without a socket, every page load shows the numbers.
;(function () {
  'use strict'
  if (typeof htmx === 'undefined') return
  var socket = null
  var pending = []

  // <html data-live="open|closed">: lets CSS (and the browser tests) know the channel's state.
  document.addEventListener('htmx:wsOpen', function (event) {
    socket = event.detail.socketWrapper
    document.documentElement.setAttribute('data-live', 'open')
  })
  document.addEventListener('htmx:wsClose', function () {
    socket = null
    document.documentElement.setAttribute('data-live', 'closed')
  })

  // Hidden tab: keep the messages, render them when the tab is shown (in arrival order).
  document.addEventListener('htmx:wsBeforeMessage', function (event) {
    if (!document.hidden) return
    event.preventDefault()
    pending.push(event.detail.message)
  })
  document.addEventListener('visibilitychange', function () {
    if (document.hidden || pending.length === 0) return
    var messages = pending
    pending = []
    for (var i = 0; i < messages.length; i++) {
      htmx.swap('#live', messages[i], { swapStyle: 'none' })
    }
  })

  // The new posts were loaded into the timeline: empty the bar, count from zero again.
  document.addEventListener('htmx:afterRequest', function (event) {
    var elt = event.detail.elt
    if (!elt || !elt.classList || !elt.classList.contains('new-posts-button') || !event.detail.successful) return
    var bar = document.getElementById('new-posts')
    if (bar) bar.textContent = ''
    if (socket) socket.send(JSON.stringify({ type: 'seen' }))
  })

  // Threads: show the newest message (the bottom) on load and when one arrives.
  function scrollThread() {
    var box = document.getElementById('thread-box')
    if (box) box.scrollTop = box.scrollHeight
  }
  scrollThread()
  document.addEventListener('htmx:oobAfterSwap', function (event) {
    var target = event.detail.target
    if (target && target.id && target.id.indexOf('thread-') === 0) scrollThread()
  })
})()
