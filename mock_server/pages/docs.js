// Starts Swagger UI on the description the mock serves. The page passes the
// description's URL in a data attribute, so that this file stays static.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");

  window.ui = SwaggerUIBundle({
    url: root.dataset.descriptionUrl,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Swagger UI would otherwise send the description to validator.swagger.io
    // for a badge; the mock's docs must work with no network.
    validatorUrl: null,
  });
});
