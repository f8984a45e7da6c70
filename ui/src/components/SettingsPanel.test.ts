import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, expect, it, vi } from 'vitest';

import { commands, type NotificationSettings_Serialize as NotificationSettings } from '../bindings';
import SettingsPanel from './SettingsPanel.svelte';

vi.mock('../bindings', () => ({
  commands: {
    about: vi.fn(),
    notificationSettings: vi.fn(),
    saveNotificationSettings: vi.fn(),
    pauseNotifications: vi.fn(),
    resumeNotifications: vi.fn(),
    sendTestNotification: vi.fn(),
    openLogFolder: vi.fn(),
    savedReplies: vi.fn(() => Promise.resolve({ status: 'ok', data: [] })),
    attachmentCache: vi.fn(() =>
      Promise.resolve({ status: 'ok', data: { used: 12 * 1024 * 1024, cap: 500 * 1024 * 1024 } }),
    ),
    clearAttachmentCache: vi.fn(() =>
      Promise.resolve({ status: 'ok', data: { used: 0, cap: 500 * 1024 * 1024 } }),
    ),
  },
  events: {},
}));

const SETTINGS: NotificationSettings = {
  settings: { previews: true, quiet_hours: null, paused_until: null },
  silence: null,
};

function answer(data: NotificationSettings) {
  return Promise.resolve({ status: 'ok' as const, data });
}

beforeEach(() => {
  vi.mocked(commands.about).mockImplementation(() => new Promise(() => {}));
  vi.mocked(commands.notificationSettings).mockImplementation(() => answer(SETTINGS));
  vi.mocked(commands.saveNotificationSettings).mockImplementation((settings) =>
    answer({ settings: { ...SETTINGS.settings, ...settings }, silence: null }),
  );
  vi.mocked(commands.pauseNotifications).mockImplementation(() =>
    answer({
      settings: { ...SETTINGS.settings, paused_until: Date.now() + 3_600_000 },
      silence: null,
    }),
  );
  vi.mocked(commands.sendTestNotification).mockImplementation(() =>
    Promise.resolve({ status: 'ok' as const, data: null }),
  );
});

function renderPanel(
  life: Partial<{
    onkeeprunning: () => void;
    onstartatlogin: () => void;
    ontheme: (theme: string) => void;
    ontextsize: (percent: number) => void;
    onfocuscomposer: (focus: boolean) => void;
  }> = {},
) {
  render(SettingsPanel, {
    props: {
      language: 'en',
      account: null,
      keepRunning: true,
      startAtLogin: false,
      theme: 'system',
      textSize: 100,
      focusComposer: false,
      ontheme: life.ontheme ?? vi.fn(),
      ontextsize: life.ontextsize ?? vi.fn(),
      onfocuscomposer: life.onfocuscomposer ?? vi.fn(),
      onkeeprunning: life.onkeeprunning ?? vi.fn(),
      onstartatlogin: life.onstartatlogin ?? vi.fn(),
      onlanguage: vi.fn(),
      onsignout: vi.fn(),
      onclose: vi.fn(),
      onerror: vi.fn(),
    },
  });
}

it('turns message previews off, sets quiet hours, pauses for an hour and sends a test', async () => {
  renderPanel();
  const previews = await screen.findByTestId<HTMLInputElement>('settings-previews');
  expect(previews.checked).toBe(true);
  await fireEvent.click(previews);
  expect(commands.saveNotificationSettings).toHaveBeenLastCalledWith({
    previews: false,
    quiet_hours: null,
    paused_until: null,
  });

  await fireEvent.click(screen.getByTestId('settings-quiet'));
  expect(commands.saveNotificationSettings).toHaveBeenLastCalledWith(
    expect.objectContaining({ quiet_hours: { start_minute: 22 * 60, end_minute: 7 * 60 } }),
  );
  await waitFor(() => expect(screen.getByTestId('settings-quiet-from')).toBeTruthy());

  await fireEvent.click(screen.getByTestId('settings-pause'));
  expect(commands.pauseNotifications).toHaveBeenCalledWith(60);
  await waitFor(() => expect(screen.getByTestId('settings-resume')).toBeTruthy());

  await fireEvent.click(screen.getByTestId('settings-test-notification'));
  expect(commands.sendTestNotification).toHaveBeenCalledOnce();
});

it('shows the offline image cache’s use and clears it', async () => {
  renderPanel();
  const use = await screen.findByTestId('settings-cache-use');
  expect(use.textContent).toContain('12');
  expect(use.textContent).toContain('500');
  await fireEvent.click(screen.getByTestId('settings-clear-cache'));
  expect(commands.clearAttachmentCache).toHaveBeenCalled();
  await waitFor(() => expect(screen.getByTestId('settings-cache-use').textContent).toMatch(/^0/));
});

it('chooses the theme, the text size and where the cursor goes on opening', async () => {
  const ontheme = vi.fn();
  const ontextsize = vi.fn();
  const onfocuscomposer = vi.fn();
  renderPanel({ ontheme, ontextsize, onfocuscomposer });
  const theme = screen.getByTestId<HTMLSelectElement>('settings-theme');
  expect(theme.value).toBe('system');
  await fireEvent.change(theme, { target: { value: 'dark' } });
  expect(ontheme).toHaveBeenCalledWith('dark');
  const size = screen.getByTestId<HTMLSelectElement>('settings-text-size');
  expect([...size.options].map((o) => o.textContent)).toEqual([
    '100 %',
    '110 %',
    '125 %',
    '150 %',
    '175 %',
    '200 %',
  ]);
  await fireEvent.change(size, { target: { value: '200' } });
  expect(ontextsize).toHaveBeenCalledWith(200);
  const focus = screen.getByTestId<HTMLInputElement>('settings-focus-composer');
  expect(focus.checked).toBe(false);
  await fireEvent.click(focus);
  expect(onfocuscomposer).toHaveBeenCalledWith(true);
});
