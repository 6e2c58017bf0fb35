// Copy buttons: a button with data-copy-target copies that field's text to the clipboard and
// says so in the status element next to it (no inline scripts: the CSP forbids them).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-target]");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-copy-target"));
  var status = button.parentElement.querySelector(".copy-status");
  function done() { if (status) status.textContent = button.getAttribute("data-copied"); }
  field.select();
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(field.value).then(done, function () {
      document.execCommand("copy"); done();
    });
  } else {
    document.execCommand("copy"); done();
  }
});
