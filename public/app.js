// Progressive enhancement for every page: each part finds its elements or does nothing, and the pages work
// without it (the server checks everything again). A file, not inline script: the CSP allows only 'self'.
(function () {
  'use strict';

  // The phone menu: the toggler folds and unfolds it (the CSS keeps it open when scripts do not run).
  var toggler = document.querySelector('.navbar-toggler');
  var menu = document.getElementById('site-menu');
  if (toggler && menu) {
    toggler.addEventListener('click', function () {
      var open = menu.classList.toggle('show');
      toggler.setAttribute('aria-expanded', String(open));
    });
  }

  // Flash messages: a close button; a notice named in the address (?notice=) is dropped from it, so that
  // reloading the page does not show it again.
  document.addEventListener('click', function (event) {
    var close = event.target.closest && event.target.closest('.flash-close');
    if (close) close.closest('.flash').remove();
  });
  if (window.history && window.history.replaceState && /[?&]notice=/.test(window.location.search)) {
    var url = new URL(window.location.href);
    url.searchParams.delete('notice');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  }

  var form = document.querySelector('form.book-form');
  if (form) enhanceBookForm(form);

  function enhanceBookForm(form) {
    var maxBytes = Number(form.getAttribute('data-max-bytes'));
    var image = form.querySelector('#image');
    var preview = document.getElementById('image-preview');
    var newCover = form.querySelector('.new-cover');
    var remove = form.querySelector('#removeImage');
    var removeHelp = form.querySelector('.remove-help');
    var imageProblem = null;
    var previewUrl = null;

    function setError(field, message) {
      var feedback = document.getElementById(field.id + '-error');
      if (feedback) feedback.textContent = message || '';
      field.classList.toggle('is-invalid', Boolean(message));
      if (message) field.setAttribute('aria-invalid', 'true');
      else field.removeAttribute('aria-invalid');
    }

    // What the browser can check of a text field: required, and no longer than its limit.
    function textProblem(field) {
      var value = field.value.trim();
      var required = field.getAttribute('data-required-message');
      if (required && value === '') return required;
      var max = Number(field.getAttribute('maxlength'));
      if (max && Array.from(value).length > max) return 'At most ' + max + ' characters.';
      return null;
    }

    // A message stays only while it is still true: typing a title clears "Title is required.".
    form.addEventListener('input', function (event) {
      var field = event.target;
      if (field.type === 'file' || !field.classList.contains('is-invalid')) return;
      if (!textProblem(field)) setError(field, null);
    });

    form.addEventListener('submit', function (event) {
      var first = null;
      Array.prototype.forEach.call(form.querySelectorAll('input[maxlength], textarea[maxlength]'), function (field) {
        var problem = textProblem(field);
        if (problem) {
          setError(field, problem);
          first = first || field;
        }
      });
      if (image && imageProblem) first = first || image;
      if (first) {
        event.preventDefault();
        first.focus();
      }
    });

    if (!image) return;

    function showPreview(file) {
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      previewUrl = file ? URL.createObjectURL(file) : null;
      if (preview) {
        if (previewUrl) preview.src = previewUrl;
        else preview.removeAttribute('src');
      }
      if (newCover) newCover.hidden = !previewUrl;
    }

    // "Remove the current cover" makes no sense while a new one is chosen: the new one replaces it.
    function syncRemove() {
      if (!remove) return;
      var chosen = image.files && image.files.length > 0;
      remove.disabled = chosen;
      if (chosen) remove.checked = false;
      if (removeHelp) removeHelp.hidden = !chosen;
    }

    function refuse(message) {
      imageProblem = message;
      setError(image, message);
      image.value = '';
      showPreview(null);
      syncRemove();
    }

    image.addEventListener('change', function () {
      var file = image.files && image.files[0];
      imageProblem = null;
      setError(image, null);
      syncRemove();
      if (!file) return showPreview(null);
      if (maxBytes && file.size > maxBytes) {
        return refuse('That file is ' + (file.size / 1048576).toFixed(1) + ' MiB: covers can be at most 8 MiB.');
      }
      // The first bytes say what a file is, whatever its name: PNG, JPEG, GIF or WebP.
      file
        .slice(0, 12)
        .arrayBuffer()
        .then(function (buffer) {
          if (image.files[0] !== file) return;
          if (!isCoverImage(new Uint8Array(buffer))) return refuse('That file is not a PNG, JPEG, GIF or WebP image.');
          showPreview(file);
        });
    });

    if (preview) {
      preview.addEventListener('error', function () {
        if (preview.getAttribute('src')) refuse('That image could not be read. Please choose another file.');
      });
    }
  }

  function isCoverImage(b) {
    var ascii = function (from, text) {
      for (var i = 0; i < text.length; i++) if (b[from + i] !== text.charCodeAt(i)) return false;
      return true;
    };
    if (b[0] === 0x89 && ascii(1, 'PNG')) return true;
    if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return true;
    if (ascii(0, 'GIF8')) return true;
    return ascii(0, 'RIFF') && ascii(8, 'WEBP');
  }
})();
