// The Swagger UI of /docs, started without inline script: it reads the API description from
// /openapi.json, and every request it sends carries the session's CSRF token (from the page's
// <meta name="csrf-token">), which changes made with the session cookie need.
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      if (csrf) {
        request.headers["X-CSRF-Token"] = csrf;
      }
      return request;
    },
  });
});
