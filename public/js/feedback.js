// Feedback that never goes missing (issue 9). With htmx, a request that fails — an error
// status, no network, a timeout — must not leave the screen unchanged: a message appears
// next to the control that sent it (a form, a button, the infinite-scroll trigger), with a
// Dismiss button; nothing is swapped, so typed text stays, and htmx re-enables the control.
// After a swap, focus goes to the first invalid field, or back into the post composer.
// Message texts come from the page (data-msg-* on <body>), in the reader's language.
;(function () {
  'use strict'

  function message(name) {
    return document.body.getAttribute('data-msg-' + name) || ''
  }

  /** The element a message belongs beside: the form that sent the request, or the element. */
  function actionOf(elt) {
    if (!elt || !elt.closest) return null
    return elt.closest('form') || elt
  }

  /** The text of an error answer: the server's one-line fragment, never its markup. */
  function textOf(xhr) {
    if (!xhr || !xhr.responseText) return ''
    var type = xhr.getResponseHeader('Content-Type') || ''
    if (type.indexOf('text/html') === -1) return ''
    var doc = new DOMParser().parseFromString(xhr.responseText, 'text/html')
    var node = doc.querySelector('[role=alert], .flash, main p')
    var text = node ? node.textContent.trim() : ''
    return text.length > 0 && text.length < 400 ? text : ''
  }

  function clearFor(action) {
    var next = action.nextElementSibling
    if (next && next.classList.contains('action-error')) next.remove()
  }

  function show(action, text) {
    if (!action || !action.parentNode) action = document.getElementById('main')
    clearFor(action)
    var box = document.createElement('div')
    box.className = 'action-error'
    box.setAttribute('role', 'alert')
    var p = document.createElement('p')
    p.textContent = text
    var dismiss = document.createElement('button')
    dismiss.type = 'button'
    dismiss.className = 'link-button'
    dismiss.textContent = message('dismiss')
    dismiss.addEventListener('click', function () {
      box.remove()
      if (action.focus) action.querySelector('button, textarea, input, a')?.focus()
    })
    box.appendChild(p)
    box.appendChild(dismiss)
    action.insertAdjacentElement('afterend', box)
  }

  document.addEventListener('htmx:responseError', function (event) {
    var xhr = event.detail.xhr
    var text = textOf(xhr) || message(xhr && xhr.status >= 500 ? 'failed' : 'refused')
    show(actionOf(event.detail.elt), text)
  })
  document.addEventListener('htmx:sendError', function (event) {
    show(actionOf(event.detail.elt), message('network'))
  })
  document.addEventListener('htmx:timeout', function (event) {
    show(actionOf(event.detail.elt), message('timeout'))
  })
  // A new attempt clears the old message of that control.
  document.addEventListener('htmx:beforeRequest', function (event) {
    var action = actionOf(event.detail.elt)
    if (action) clearFor(action)
  })

  function focusFirstInvalid(root) {
    var invalid = root.querySelector('[aria-invalid="true"]')
    if (invalid) {
      invalid.focus()
      return true
    }
    return false
  }

  document.addEventListener('htmx:afterSettle', function (event) {
    var target = event.detail.target
    if (!target || !target.querySelector) return
    // An outerHTML swap leaves `target` detached: look at what now has its id.
    var root = (target.id && document.getElementById(target.id)) || target
    if (focusFirstInvalid(root)) return
    // A successful post replaces the form: keep the writer in the composer.
    if (root.id === 'post-form') root.querySelector('textarea')?.focus()
  })

  document.addEventListener('DOMContentLoaded', function () {
    var main = document.getElementById('main')
    if (main && !main.contains(document.activeElement)) focusFirstInvalid(main)
  })
})()
