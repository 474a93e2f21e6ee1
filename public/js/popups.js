/* global fetch, setTimeout, clearTimeout, CustomEvent */
// User popups (SPEC §12): resting the mouse on an author link, or focusing it from the
// keyboard, for 500 ms shows a card from GET /user/:username/popup next to it. Each link
// fetches its card once; Escape, moving away or focus leaving closes it. Touch keeps the
// plain link (only a mouse pointer or keyboard focus opens a card), and without
// JavaScript the link simply goes to the profile.
;(function () {
  'use strict'
  var DELAY_MS = 500
  var CLOSE_GRACE_MS = 250
  var SELECTOR = 'a.author[href^="/user/"]'
  var cards = new WeakMap() // link → Promise of its card element (fetched once)
  var counter = 0
  var wanted = null // the link waiting for its card
  var openTimer = null
  var closeTimer = null
  var current = null // { link, box }
  var skipFocus = null // the link Escape gave focus back to: do not reopen its card

  function authorLink(node) {
    return node && node.closest ? node.closest(SELECTOR) : null
  }

  function inCurrent(node) {
    return !!(current && node && (current.link.contains(node) || current.box.contains(node)))
  }

  function load(link) {
    var card = cards.get(link)
    if (!card) {
      card = fetch(link.getAttribute('href') + '/popup', { credentials: 'same-origin' })
        .then(function (response) {
          return response.text()
        })
        .then(function (html) {
          var box = document.createElement('div')
          box.className = 'user-popup'
          box.id = 'user-popup-' + ++counter
          box.innerHTML = html
          box.addEventListener('pointerenter', cancelClose)
          return box
        })
      card.catch(function () {
        cards.delete(link)
      })
      cards.set(link, card)
    }
    return card
  }

  function scheduleOpen(link) {
    if (current && current.link === link) return cancelClose()
    wanted = link
    clearTimeout(openTimer)
    openTimer = setTimeout(function () {
      load(link).then(function (box) {
        if (wanted === link) show(link, box)
      })
    }, DELAY_MS)
  }

  function show(link, box) {
    close()
    // Right after the link, so Tab moves from the link into the card (Follow button).
    link.insertAdjacentElement('afterend', box)
    if (window.htmx) window.htmx.process(box)
    box.dispatchEvent(new CustomEvent('htmx:load', { bubbles: true })) // relative times
    link.setAttribute('aria-expanded', 'true')
    link.setAttribute('aria-describedby', box.id)
    current = { link: link, box: box }
    place()
  }

  /** Below the link (above it when there is no room), kept inside the viewport. */
  function place() {
    if (!current) return
    var margin = 8
    var box = current.box
    var link = current.link.getBoundingClientRect()
    var size = box.getBoundingClientRect()
    var left = Math.max(margin, Math.min(link.left, window.innerWidth - size.width - margin))
    var top = link.bottom + 6
    if (top + size.height > window.innerHeight - margin && link.top - size.height - 6 >= margin) {
      top = link.top - size.height - 6
    }
    box.style.left = left + 'px'
    box.style.top = top + 'px'
  }

  function close() {
    wanted = null
    clearTimeout(openTimer)
    hide()
  }

  function hide() {
    cancelClose()
    if (!current) return
    current.box.remove()
    current.link.setAttribute('aria-expanded', 'false')
    current.link.removeAttribute('aria-describedby')
    current = null
  }

  function scheduleClose() {
    cancelClose()
    closeTimer = setTimeout(close, CLOSE_GRACE_MS)
  }

  function cancelClose() {
    clearTimeout(closeTimer)
    closeTimer = null
  }

  document.addEventListener('pointerover', function (event) {
    if (event.pointerType !== 'mouse') return
    var link = authorLink(event.target)
    if (link) scheduleOpen(link)
    else if (inCurrent(event.target)) cancelClose()
  })

  document.addEventListener('pointerout', function (event) {
    if (event.pointerType !== 'mouse') return
    var from = authorLink(event.target) || (inCurrent(event.target) ? event.target : null)
    if (!from || inCurrent(event.relatedTarget) || (from.contains && from.contains(event.relatedTarget))) return
    if (wanted && !current) {
      wanted = null
      clearTimeout(openTimer)
    }
    if (current) scheduleClose()
  })

  document.addEventListener('focusin', function (event) {
    var link = authorLink(event.target)
    if (link && link === skipFocus) skipFocus = null
    else if (link && !inCurrent(link) && link.matches(':focus-visible')) scheduleOpen(link)
  })

  document.addEventListener('focusout', function () {
    // Decide once focus has landed. Focus dropping to <body> is a swap inside the card
    // (Follow → Unfollow), not the reader leaving; settle handles it below.
    setTimeout(function () {
      var active = document.activeElement
      if (!active || active === document.body || inCurrent(active)) return
      if (wanted && authorLink(active) !== wanted) {
        wanted = null
        clearTimeout(openTimer)
      }
      hide()
    }, 0)
  })

  // After Follow/Unfollow swapped the card's button, give focus back to the new button.
  document.addEventListener('htmx:afterSettle', function () {
    if (!current || (document.activeElement && document.activeElement !== document.body)) return
    var button = current.box.querySelector('form button')
    if (button) button.focus()
  })

  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape' || (!current && !wanted)) return
    var hadFocus = current && current.box.contains(document.activeElement)
    var link = current && current.link
    close()
    if (hadFocus && link) {
      skipFocus = link
      link.focus()
    }
  })

  window.addEventListener('scroll', place, { passive: true })
  window.addEventListener('resize', place)
})()
