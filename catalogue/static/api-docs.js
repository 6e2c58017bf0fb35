// Renders the OpenAPI document with the Swagger UI shipped in /static/swagger-ui (no CDN).
(function () {
  var script = document.currentScript;
  window.addEventListener("load", function () {
    window.ui = SwaggerUIBundle({
      url: script.getAttribute("data-spec-url"),
      dom_id: "#swagger-ui",
      deepLinking: true,
      validatorUrl: null,
      docExpansion: "list",
      defaultModelsExpandDepth: 0,
    });
  });
})();
