// Starts Swagger UI on /api/docs with our own OpenAPI document. Loaded with `defer` after
// the self-hosted swagger-ui-bundle.js; no external requests (the online validator badge
// is off).
;(function () {
  var root = document.getElementById('api-docs')
  if (!root || typeof window.SwaggerUIBundle !== 'function') return
  window.SwaggerUIBundle({
    url: root.getAttribute('data-spec-url'),
    domNode: root,
    validatorUrl: null,
    deepLinking: true,
    tryItOutEnabled: false,
  })
})()
