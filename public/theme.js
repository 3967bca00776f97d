// Before the page is drawn: marks that scripts run (the CSS then collapses the phone menu and shows the
// close buttons), and follows the system's light or dark setting with Bootstrap 5.3's colour modes.
// A file, not inline script: the CSP allows only 'self'. Without scripts the page is light and complete.
(function () {
  var root = document.documentElement;
  root.classList.add('js');
  var dark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  function follow() {
    root.setAttribute('data-bs-theme', dark && dark.matches ? 'dark' : 'light');
  }
  follow();
  if (dark && dark.addEventListener) dark.addEventListener('change', follow);
})();
