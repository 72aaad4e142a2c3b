// Loaded by poolviz/widgets.py (anywidget): names the controls ipywidgets leaves unnamed (and
// marks disabled sliders so), sets each picture's alt, and speaks in a polite live region once
// the controls rest for REST_MS: a drag is announced at its end, and the window player, which
// steps every 900 ms, when it pauses or stops; nothing is said when the explorer first appears.
export default { render({ model, el }) {
  el.classList.add('poolviz-live'); el.setAttribute('role', 'status'); el.setAttribute('aria-live', 'polite');
  const ICONS = {play: 'play the window walk', pause: 'pause the window walk', stop: 'stop: back to window 1',
                 retweet: 'repeat'};
  let timer, root;
  const name = () => {
    for (const slider of root.querySelectorAll('.widget-slider')) {
      const label = slider.querySelector('.widget-label'), handle = slider.querySelector('.noUi-handle');
      if (label && handle && handle.getAttribute('aria-label') !== label.textContent)
        handle.setAttribute('aria-label', label.textContent);
      const off = String(!!slider.querySelector('.noUi-target[disabled]')), readout = slider.querySelector('.widget-readout');
      // Still reachable by Tab (it shows the stride in use), but said to be disabled.
      if (handle && handle.getAttribute('aria-disabled') !== off) handle.setAttribute('aria-disabled', off);
      if (label && readout && readout.getAttribute('aria-label') !== label.textContent + ' value')
        readout.setAttribute('aria-label', label.textContent + ' value');
    }
    for (const button of root.querySelectorAll('.widget-play button')) {
      const icon = (button.querySelector('i')?.className.match(/fa-([a-z]+)/) || [])[1];
      if (ICONS[icon] && button.getAttribute('aria-label') !== ICONS[icon])
        button.setAttribute('aria-label', ICONS[icon]);
    }
    for (const [picture, text] of Object.entries(model.get('alts'))) {
      const image = root.querySelector('img.' + picture);
      if (image && image.alt !== text) image.alt = text;
    }
  };
  const attach = () => {
    root = el.closest('.poolviz-explorer');
    if (!root) return requestAnimationFrame(attach);
    name();
    new MutationObserver(name).observe(root, {subtree: true, childList: true, attributes: true,
                                              attributeFilter: ['src', 'class', 'disabled']});
  };
  attach();
  model.on('change:alts', () => root && name());
  const REST_MS = 1000;
  const speak = () => { clearTimeout(timer); timer = setTimeout(() => { el.textContent = model.get('said'); }, REST_MS); };
  model.on('change:said', speak);
} };
