// Shows a preview of the chosen cover before upload. A file, not inline script: the CSP allows only 'self'.
(function () {
  var input = document.getElementById('image');
  var preview = document.getElementById('image-preview');
  if (!input || !preview || !window.URL) return;
  input.addEventListener('change', function () {
    var file = input.files && input.files[0];
    if (preview.src) URL.revokeObjectURL(preview.src);
    if (!file || !/^image\//.test(file.type)) {
      preview.hidden = true;
      preview.removeAttribute('src');
      return;
    }
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
  });
})();
