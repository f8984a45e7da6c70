// The widget's Swedish words, typed against en.ts: every key, same arguments.

import type { Words } from './en';

export const sv: Words = {
  bubble: 'Chatta med oss',
  bubbleUnread: (count) => `Chatta med oss, ${count} ${count === 1 ? 'nytt svar' : 'nya svar'}`,
  title: (shop) => (shop ? `Chatta med ${shop}` : 'Chatta med oss'),
  statusIdle: 'En riktig människa svarar, oftast inom några minuter',
  statusLive: 'Online · vi svarar oftast inom några minuter',
  statusConnecting: 'Ansluter…',
  statusReconnecting: 'Ansluter igen…',
  close: 'Stäng chatten',

  startIntro:
    'Hej! Berätta vem du är och fråga på. Om du lämnar butiken innan vi svarar, svarar vi till din e-post.',
  startReasonCart: (product) =>
    `Starta en chatt för att lägga ${product} i varukorgen: butiken sparar varukorgen med chatten, så att vi kan se den och hjälpa dig.`,
  startAgain: (email) =>
    `Du har lämnat chatten som ${email} på den här enheten. Starta en ny nedan.`,
  sessionEnded: 'Din chatt har avslutats. Starta en ny så fortsätter vi därifrån.',
  name: 'Ditt namn',
  email: 'E-post',
  emailHint: 'Vi använder den bara för att svara dig om du har lämnat butiken.',
  startChat: 'Starta chatten',
  starting: 'Startar…',
  needName: 'Skriv ditt namn.',
  needEmail: 'Skriv en e-postadress vi kan svara till, till exempel anna@example.com.',

  noteLive: (replyTo) => `Du chattar live. Om du lämnar svarar vi till din e-post${replyTo}.`,
  noteConnecting: (replyTo) => `Ansluter… Om du lämnar svarar vi till din e-post${replyTo}.`,
  noteReconnecting: (replyTo) =>
    `Ansluter igen… Tills dess går våra svar till din e-post${replyTo}.`,

  verifyIntro:
    'Bekräfta din e-post för att se din egen varukorg och dina beställningar här. Vi skickar en kod.',
  verifySend: 'Mejla mig en kod',
  verifyAgain: 'Skicka en ny kod',
  verifySent: (to) => `Vi har skickat en kod till ${to}. Den gäller i 15 minuter.`,
  verifyCode: 'Koden från mejlet',
  verifyConfirm: 'Bekräfta',
  verified: 'E-posten är bekräftad — din varukorg finns här nu.',

  messages: 'Meddelanden',
  welcome: (first) =>
    `Hej${first ? ` ${first}` : ''}! Fråga oss om vad som helst — storlekar, material, leverans eller presenttips. En riktig människa i vårt team svarar här.`,
  message: 'Meddelande',
  placeholder: 'Skriv ett meddelande…',
  send: 'Skicka',
  composerHint: 'Tryck Enter för att skicka, Skift+Enter för en ny rad.',
  youWrote: 'Du skrev:',
  shopWrote: (shop) => `${shop || 'Butiken'} skrev:`,
  tooLong: (max) => `Ett meddelande kan vara högst ${max} tecken långt.`,
  sending: 'Skickar…',
  notSent: 'Inte skickat.',
  retry: 'Försök igen',
  alsoEmailed: ' · skickades även till din e-post',
  chattingAs: (name, email) => `Du chattar som ${name} (${email}).`,
  startOver: 'Inte du? Börja om',
  streamStopped: (why) =>
    `Liveuppdateringarna har stannat: ${why} Ladda om sidan för att försöka igen.`,
  loadFailed: 'Vi kunde inte läsa in din chatt.',

  cartAdded: (what) => `Du lade ${what} i varukorgen`,
  cartRemoved: (what) => `Du tog bort ${what} från varukorgen`,
  orderPlaced: (name, total) => `Order ${name} lagd · ${total}`,
  aProduct: 'en produkt',
  nProducts: (n) => `${n} produkter`,
  unknownMessage: 'Det här meddelandet kan inte visas här.',
  viewProduct: 'Visa produkten →',
  product: 'Produkt',
  discountLabel: 'En rabatt till dig',
  discountApply: (code) => `Använd rabattkoden ${code} i din varukorg`,
  discountAppliedLabel: (code) => `Rabattkoden ${code}, tillagd`,
  discountApplied: '✓ Tillagd i din varukorg',
  discountHint: 'Klicka på koden för att lägga den i varukorgen',
  applying: 'Lägger till…',
  image: 'Bild från butiken',
  openImage: 'Öppna bilden i en ny flik',
  downloadVideo: 'Ladda ner videon',
  badAttachment: 'En bilaga som inte kan visas här.',

  errNetwork: 'Vi når inte butiken. Kontrollera anslutningen och försök igen.',
  errRateLimited: (seconds) =>
    seconds > 0
      ? `Det går lite för fort — försök igen om ${seconds} s.`
      : 'Det går lite för fort — försök igen om en stund.',
  errInternal: 'Något gick fel hos oss. Försök igen om en stund.',
  errGeneric: 'Något gick fel. Försök igen.',
  errUnknownCode: 'Vi känner inte igen koden; kontrollera stavningen och försök igen.',
  errDiscountInactive: 'Koden gäller inte just nu.',
  errDiscountNotApplicable: 'Koden gäller inte för den här beställningen.',
  errCartEmpty: 'Varukorgen är tom.',
  errPaymentDeclined: 'Kortet nekades. Inget drogs och varukorgen är som den var.',
  errProductUnavailable: 'Något i varukorgen finns inte i lager längre; varukorgen sparas.',
  errNeedChat: 'Starta en chatt först.',
};
