// Starts Swagger UI on the service's own OpenAPI document. It is a file of its own, not an
// inline script, so the page's Content Security Policy allows scripts from this site only.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  // Swagger UI would otherwise send the document to validator.swagger.io for a badge.
  validatorUrl: null,
  // The browser's session cookie signs "Try it out" requests in; they come from this
  // page, so the API's same-origin check lets them through.
  withCredentials: true,
});
