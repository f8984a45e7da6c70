// The widget's English words: the source of truth. sv.ts is typed against this object, so a
// missing Swedish key is a type error (`npm run check`), and a test compares the key sets.

export const en = {
  bubble: 'Chat with us',
  bubbleUnread: (count: number) =>
    `Chat with us, ${count} new ${count === 1 ? 'reply' : 'replies'}`,
  title: (shop: string) => (shop ? `Chat with ${shop}` : 'Chat with us'),
  statusIdle: 'A real person replies, usually within minutes',
  statusLive: 'Online · we usually reply within minutes',
  statusConnecting: 'Connecting…',
  statusReconnecting: 'Reconnecting…',
  close: 'Close chat',

  startIntro:
    "Hi! Tell us who you are and ask away. If you leave the store before we answer, we'll reply to your email.",
  startReasonCart: (product: string) =>
    `To add ${product} to your cart, start a chat first: the shop keeps your cart with your chat, so our team can see it and help.`,
  startAgain: (email: string) =>
    `You've left the chat as ${email} on this device. Start a new one below.`,
  sessionEnded: 'Your chat session has ended. Start a new one and we will pick up from there.',
  name: 'Your name',
  email: 'Email',
  emailHint: "We only use it to answer you if you've left the store.",
  startChat: 'Start chat',
  starting: 'Starting…',
  needName: 'Please tell us your name.',
  needEmail: 'Please enter an email address we can reply to, like anna@example.com.',

  noteLive: (replyTo: string) =>
    `You're chatting live. If you leave, we'll reply to your email${replyTo}.`,
  noteConnecting: (replyTo: string) =>
    `Connecting… If you leave, we'll reply to your email${replyTo}.`,
  noteReconnecting: (replyTo: string) =>
    `Reconnecting… Until then, our replies go to your email${replyTo}.`,

  verifyIntro: "Confirm your email to see your own cart and orders here. We'll send a code to it.",
  verifySend: 'Email me a code',
  verifyAgain: 'Send another code',
  verifySent: (to: string) => `We sent a code to ${to}. It works for 15 minutes.`,
  verifyCode: 'Code from the email',
  verifyConfirm: 'Confirm',
  verified: 'Email confirmed — your cart is here now.',

  messages: 'Messages',
  welcome: (first: string) =>
    `Hi${first ? ` ${first}` : ''}! Ask us anything — sizes, materials, delivery or gift ideas. A real person from our team answers here.`,
  message: 'Message',
  placeholder: 'Write a message…',
  send: 'Send',
  composerHint: 'Press Enter to send, Shift+Enter for a new line.',
  youWrote: 'You wrote:',
  shopWrote: (shop: string) => `${shop || 'The shop'} wrote:`,
  tooLong: (max: number) => `Messages can be up to ${max} characters long.`,
  sending: 'Sending…',
  notSent: 'Not sent.',
  retry: 'Retry',
  alsoEmailed: ' · also sent to your email',
  chattingAs: (name: string, email: string) => `Chatting as ${name} (${email}).`,
  startOver: 'Not you? Start over',
  streamStopped: (why: string) => `Live updates stopped: ${why} Reload the page to try again.`,
  loadFailed: 'We could not load your chat.',

  cartAdded: (what: string) => `You added ${what} to your cart`,
  cartRemoved: (what: string) => `You removed ${what} from your cart`,
  orderPlaced: (name: string, total: string) => `Order ${name} placed · ${total}`,
  aProduct: 'a product',
  nProducts: (n: number) => `${n} products`,
  unknownMessage: 'This message can’t be shown here.',
  viewProduct: 'View product →',
  product: 'Product',
  discountLabel: 'A discount for you',
  discountApply: (code: string) => `Apply discount code ${code} to your cart`,
  discountAppliedLabel: (code: string) => `Discount code ${code}, applied`,
  discountApplied: '✓ Applied to your cart',
  discountHint: 'Click the code to apply it to your cart',
  applying: 'Applying…',
  image: 'Image from the shop',
  openImage: 'Open the image in a new tab',
  downloadVideo: 'Download the video',
  badAttachment: 'An attachment that can’t be shown here.',

  errNetwork: "We couldn't reach the shop. Check your connection and try again.",
  errRateLimited: (seconds: number) =>
    seconds > 0
      ? `You're going a little fast — please try again in ${seconds} s.`
      : "You're going a little fast — please try again in a moment.",
  errInternal: 'Something went wrong on our side. Please try again in a moment.',
  errGeneric: 'Something went wrong. Please try again.',
  errUnknownCode: "We don't recognise that code; check the spelling and try again.",
  errDiscountInactive: 'This code is not active right now.',
  errDiscountNotApplicable: "The code doesn't apply to this order.",
  errCartEmpty: 'Your cart is empty.',
  errPaymentDeclined: 'The card was declined. Nothing was charged and your cart is as it was.',
  errProductUnavailable: "Something in your cart isn't in stock any more; your cart is kept.",
  errNeedChat: 'Start a chat first.',
};

export type Words = typeof en;
