// Test environment: jsdom lacks a few browser APIs the app (and virtua) use.

/** jsdom has no layout, so a ResizeObserver that never reports is faithful enough. */
class ResizeObserverStub implements ResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

if (!('ResizeObserver' in globalThis)) {
  globalThis.ResizeObserver = ResizeObserverStub;
}

/** jsdom has no matchMedia; every query answers "no match" (light theme, no reduced motion). */
if (typeof window !== 'undefined' && !('matchMedia' in window)) {
  Object.defineProperty(window, 'matchMedia', {
    configurable: true,
    value: (query: string): MediaQueryList =>
      ({
        matches: false,
        media: query,
        onchange: null,
        addListener() {},
        removeListener() {},
        addEventListener() {},
        removeEventListener() {},
        dispatchEvent: () => false,
      }) as MediaQueryList,
  });
}

/** jsdom has no scrolling; virtua's scrollToIndex calls element.scrollTo. */
if (typeof Element !== 'undefined' && typeof Element.prototype.scrollTo !== 'function') {
  Object.defineProperty(Element.prototype, 'scrollTo', { configurable: true, value() {} });
}

/** jsdom has no layout to scroll: scrollIntoView records nothing, as there is nowhere to go. */
if (typeof Element !== 'undefined' && !('scrollIntoView' in Element.prototype)) {
  Object.defineProperty(Element.prototype, 'scrollIntoView', {
    configurable: true,
    value: function scrollIntoView(): void {},
  });
}

/** The app's default window is 1280 px wide (tauri.conf.json); jsdom's is 1024. */
if (typeof window !== 'undefined') {
  Object.defineProperty(window, 'innerWidth', { configurable: true, writable: true, value: 1280 });
}
