//! English: the source of truth for every string the app shows. `sv.ts` is typed against this
//! file, so a key added here and not translated fails svelte-check.
//!
//! Wording follows the Shopify Inbox help pages the product is built from (shared/seeds).
//! `{name}` is a placeholder; an object is a set of plural forms chosen by `{count}`.

import type { Dictionary } from './types';

export const en = {
  // The app
  'app.name': 'Inbox',
  'app.starting': 'Starting Inbox…',
  'app.skipToConversation': 'Skip to the conversation',

  // Words used everywhere
  'common.cancel': 'Cancel',
  'common.save': 'Save',
  'common.close': 'Close',
  'common.edit': 'Edit',
  'common.delete': 'Delete',
  'common.remove': 'Remove',
  'common.retry': 'Try again',
  'common.back': 'Back',
  'common.done': 'Done',
  'common.loading': 'Loading…',
  'common.details': 'Details',
  'common.clear': 'Clear',
  'common.copy': 'Copy',
  'common.copied': 'Copied',
  'common.optional': 'Optional',
  'common.viewAll': 'View all',
  'common.showFewer': 'Show fewer',
  'common.you': 'You',
  'common.justNow': 'Just now',
  'common.unknown': 'Unknown',

  // Sign-in
  'signIn.title': 'Sign in to your shop',
  'signIn.intro': 'Use the email address and password of your staff account.',
  'signIn.shopUrl': 'Shop address',
  'signIn.shopUrlPlaceholder': 'shop.example.com',
  'signIn.shopUrlHint': 'The address you open the shop admin at.',
  'signIn.caFile': 'CA certificate',
  'signIn.caFileHint':
    'Only needed when the shop uses a certificate from its own certificate authority.',
  'signIn.caFileChoose': 'Choose file…',
  'signIn.caFileNone': 'No file chosen',
  'signIn.caFileRemove': 'Remove CA certificate',
  'signIn.email': 'Email',
  'signIn.password': 'Password',
  'signIn.showPassword': 'Show password',
  'signIn.hidePassword': 'Hide password',
  'signIn.submit': 'Sign in',
  'signIn.submitting': 'Signing in…',
  'signIn.signOut': 'Sign out',
  'signIn.signOutConfirm': 'Sign out of {shop}?',
  'signIn.signOutPending': {
    one: '1 message has not been sent yet.',
    other: '{count} messages have not been sent yet.',
  },
  'signIn.error.invalidCredentials': 'Wrong email or password.',
  'signIn.error.unreachable':
    'Can’t reach the shop at {shop}. Check the address and your connection.',
  'signIn.error.certificate':
    'The shop’s certificate isn’t trusted. If the shop uses its own certificate authority, choose its CA certificate.',
  'signIn.error.caFileUnreadable': 'Can’t read the CA certificate file.',
  'signIn.error.sessionExpired': 'Your session has expired. Sign in again.',
  'signIn.error.invalidUrl': 'Enter the shop’s address, like shop.example.com.',
  'signIn.error.notHttps': 'The shop’s address must start with https://.',
  'signIn.error.shopUrlRequired': 'Enter the shop’s address.',
  'signIn.error.emailRequired': 'Enter your email address.',
  'signIn.error.passwordRequired': 'Enter your password.',
  'signIn.error.rateLimited': 'Too many attempts. Wait a minute and try again.',
  'signIn.error.other': 'Couldn’t sign in: {detail}',

  // Conversation list
  'list.title': 'Conversations',
  'list.open': 'Open',
  'list.closed': 'Closed',
  'list.openConversations': 'Open conversations',
  'list.closedConversations': 'Closed conversations',
  'list.filter': 'Show',
  'list.filter.mine': 'Assigned to me',
  'list.filter.unassigned': 'Unassigned',
  'list.filter.all': 'All',
  'customer.unverified': 'Email not verified',
  'customer.unverifiedHint':
    "Anyone can type an email into the chat. Until the customer confirms it with the code we email them, this chat is not linked to the shop's customer with that address.",
  'list.online': 'Online',
  'list.presenceUnknown': 'Presence unknown',
  'list.presenceUnknownHint':
    'Inbox is offline, so it can’t tell whether this customer is still in the store.',
  'list.assignedTo': 'Assigned to {name}',
  'list.assignedToYou': 'Assigned to you',
  'list.waiting': { one: '1 new ↑', other: '{count} new ↑' },
  'list.unassigned': 'Unassigned',
  'list.unread': 'Unread',
  'list.rowMenu': 'Actions for {name}',
  'list.unreadCount': { one: '{count} unread', other: '{count} unread' },
  'list.topics': 'Topics: {topics}',
  'list.conversationWith': 'Conversation with {name}',
  'list.loading': 'Loading conversations…',
  'list.loadMore': 'Show more conversations',
  'list.empty.open': 'No open conversations. New messages from customers show up here.',
  'list.empty.closed': 'No closed conversations.',
  'list.empty.mine': 'No conversations are assigned to you.',
  'list.empty.unassigned': 'Every conversation has been assigned.',

  // Previews of the last message in the list, for messages without text
  'preview.none': 'No messages yet',
  'preview.products': { one: 'Shared a product', other: 'Shared {count} products' },
  'preview.discount': 'Shared the discount code {code}',
  'preview.image': 'Image',
  'preview.video': 'Video',

  // Platforms a customer writes from; replies go back the same way
  'platform.online_store': 'Online store chat',
  'platform.shop_app': 'Shop app',
  'platform.messenger': 'Messenger',
  'platform.instagram': 'Instagram',
  'platform.email': 'Email',

  // Conversation view
  'conversation.customer': 'Customer',
  'conversation.staff': 'Staff',
  'conversation.fromCustomer': 'Message from {name}',
  'conversation.fromStaff': 'Message from {name} (staff)',
  'conversation.fromYou': 'Message from you',
  'conversation.online': 'Online',
  'conversation.presenceUnknown': 'Presence unknown',
  'conversation.replyVia': 'Your reply will be sent on {platform}.',
  'conversation.customerLeft':
    'The customer has left your store. Your reply will be sent to {email}, the email address they gave at the start of the chat.',
  'conversation.sentByEmail': 'Sent by email to {email}',
  'conversation.sentVia': 'Sent on {platform}',
  'conversation.closedBanner': 'This conversation is closed.',
  'conversation.newBelow': { one: '{count} new message ↓', other: '{count} new messages ↓' },
  'conversation.loadingOlder': 'Loading earlier messages…',
  'conversation.newMessages': 'New messages',
  'conversation.notFound': 'This conversation isn’t available any more.',
  'conversation.select': 'Choose a conversation to read it.',
  'conversation.cannotDelete': 'Conversations can’t be deleted, but you can close them.',

  // The active cart in the conversation header
  'header.cartSummary': {
    one: '{count} item in cart · {subtotal}',
    other: '{count} items in cart · {subtotal}',
  },
  'header.cartLine': '{quantity} × {product}',

  // Shared content inside messages
  'message.product.view': 'View product',
  'message.product.price': 'Price: {price}',
  'message.discount.code': 'Discount code {code}',
  'message.discount.appliesAtCheckout': 'Applies to the customer’s cart automatically at checkout.',
  'message.image': 'Image',
  'message.imageFrom': 'Image from {name}',
  'message.video': 'Video',
  'message.attachmentLoading': 'Loading attachment…',
  'message.attachmentUnavailable': 'This attachment can’t be shown right now.',
  'message.pending': 'Sending…',
  'message.failed': 'Not sent',
  'message.failedReason': 'Not sent: {reason}',
  'message.maybeSentReason': 'May have been sent: {reason}',
  'message.retry': 'Retry',
  'message.discard': 'Discard',
  'message.discardHint': 'The text goes back into the message field.',
  'message.discardRemoveHint': 'Remove this from the conversation.',
  'message.queuedOffline': 'Waiting for a connection to send',

  // Cart events in the conversation. A product name shows only when it is under 41 characters.
  'cartEvent.addedNamed': {
    one: '{customer} added {product} to the cart',
    other: '{customer} added {count} × {product} to the cart',
  },
  'cartEvent.addedUnnamed': {
    one: '{customer} added a product to the cart',
    other: '{customer} added {count} of a product to the cart',
  },
  'cartEvent.removedNamed': {
    one: '{customer} removed {product} from the cart',
    other: '{customer} removed {count} × {product} from the cart',
  },
  'cartEvent.removedUnnamed': {
    one: '{customer} removed a product from the cart',
    other: '{customer} removed {count} of a product from the cart',
  },

  // An order the customer placed from the chat, in the conversation.
  'orderEvent.placed': 'Order {name} placed · {total}',

  // Composer
  'composer.label': 'Message',
  'composer.placeholder': 'Write a message…',
  'composer.placeholderEmail': 'Write a reply; it will be sent by email…',
  'composer.send': 'Send',
  'composer.sendHint': 'Enter sends, Shift+Enter starts a new line',
  'composer.tooLong': 'The message is too long: {length} characters, at most {max}.',
  'composer.offline': 'You’re offline. Messages are sent when the connection is back.',
  'composer.attach': 'Attach image or video',
  'composer.shareProducts': 'Share products',
  'composer.shareDiscount': 'Share discount',

  // Product picker
  'productPicker.title': 'Share products',
  'productPicker.search': 'Search products',
  'productPicker.onlineStoreOnly': 'Only products available in your online store can be shared.',
  'productPicker.selectUpTo': 'You can select up to three products at a time.',
  'productPicker.selected': '{count} of {max} selected',
  'productPicker.maxThree':
    'You can share at most three products at a time. Deselect one to choose another.',
  'productPicker.notOnlineStore': 'This product isn’t available in your online store.',
  'productPicker.inStock': { one: '{count} in stock', other: '{count} in stock' },
  'productPicker.outOfStock': 'Out of stock',
  'productPicker.variants': { one: '{count} variant', other: '{count} variants' },
  'productPicker.message': 'Message',
  'productPicker.messagePlaceholder': 'Add information to send with the product (optional)',
  'productPicker.share': { one: 'Share product', other: 'Share products' },
  'productPicker.noResults': 'No products match “{query}”.',
  'productPicker.empty': 'Your online store has no products to share.',
  'productPicker.offline': 'Finding products needs a connection to the shop.',

  // Discount picker
  'discountPicker.title': 'Share discount',
  'discountPicker.search': 'Search discount codes',
  'discountPicker.share': 'Share discount',
  'discountPicker.inactive':
    'The discount code {code} is inactive. Update the code in the shop admin before sharing it.',
  'discountPicker.appliesAtCheckout':
    'The code is stored in the chat session and applied to the customer’s cart at checkout.',
  'discountPicker.noResults': 'No discount codes match “{query}”.',
  'discountPicker.empty':
    'No discount codes yet. Create discount codes in the shop admin before you can share them.',
  'discountPicker.offline': 'Finding discount codes needs a connection to the shop.',
  'discount.status.ACTIVE': 'Active',
  'discount.status.EXPIRED': 'Expired',
  'discount.status.SCHEDULED': 'Scheduled',
  'discount.ends': 'Ends {date}',
  'discount.starts': 'Starts {date}',

  // Attachments
  'attach.choose': 'Choose an image or video',
  'attach.dropHere': 'Drop an image or video to attach it',
  'attach.preview': 'Attachment: {name}',
  'attach.remove': 'Remove attachment',
  'attach.imageDetails': '{width} × {height} px, {size}',
  'attach.videoDetails': 'Video, {size}',
  'attach.preparing': 'Preparing {name}…',
  'attach.pasted': 'Pasted image',
  'attach.onlyOne': 'Attach one file at a time.',
  'attach.unsupported':
    '{name} can’t be sent. Send a JPEG, PNG, GIF or WebP image, or an MP4, MOV or WebM video.',
  'attach.imageTooLarge': '{name} is {size}. Images can be at most {max}.',
  'attach.videoTooLarge': '{name} is {size}. Videos can be at most {max}.',
  'attach.customersCannotSend': 'Customers can’t send images to you.',

  // Actions on a conversation
  'action.open': 'Open conversation',
  'action.close': 'Close conversation',
  'action.reopen': 'Reopen conversation',
  'action.markUnread': 'Mark as unread',
  'action.markRead': 'Mark as read',
  'action.assign': 'Assign',
  'action.unassign': 'Unassign',
  'action.changeAssignee': 'Change assignee',
  'action.more': 'More actions',
  'app.menu': 'Menu',
  'app.backToList': 'Conversations',
  'profile.closePanel': 'Close profile',
  'a11y.newMessage': 'New message from {name}: {text}',
  'a11y.newMessages': {
    one: '{count} new message from {name}',
    other: '{count} new messages from {name}',
  },
  'conversation.unreadDivider': 'New',
  'action.closed': 'Conversation closed. It moved to Closed.',
  'action.reopened': 'Conversation reopened. It moved to Open.',
  'action.markedUnread': 'Marked as unread.',
  'action.assigned': 'Assigned to {name}.',
  'action.unassigned': 'Assignment removed.',

  // Assign staff
  'assign.title': 'Assign staff',
  'assign.search': 'Search staff',
  'assign.you': '{name} (you)',
  'assign.current': 'Assigned',
  'assign.onlyChatPermission': 'Only staff with permission for online store chat are listed.',
  'assign.missingHint':
    'If someone isn’t listed, they might not have permission for online store chat.',
  'assign.notifyNote':
    'Only the assigned staff member is notified about new messages. Unassign the conversation to notify all staff.',
  'assign.noResults': 'No staff match “{query}”.',
  'assign.cannotChat': '{name} doesn’t have permission for online store chat.',

  // Customer profile
  'profile.title': 'Customer profile',
  'profile.unavailable': "The customer's profile can't be shown right now.",
  'profile.show': 'Show customer profile',
  'profile.hide': 'Hide customer profile',
  'profile.details': 'Customer details',
  'profile.new': 'New customer',
  'profile.returning': 'Returning customer',
  'profile.manage': 'Manage',
  'profile.manageHint': 'Edit the customer in the shop admin',
  'profile.customerFor': 'Customer for {duration}',
  'profile.customerSince': 'Customer since {date}',
  'profile.totalSpent': 'Total spent',
  'profile.email': 'Email',
  'profile.phone': 'Phone',
  'profile.location': 'Location',
  'profile.localTime': 'Local time',
  'profile.localTimeValue': '{time} ({zone})',
  'profile.subscribed': 'Subscribed',
  'profile.subscribedEmail': 'Subscribed to email marketing',
  'profile.subscribedSms': 'Subscribed to SMS marketing',
  'profile.noPhone': 'No phone number',
  'profile.noLocation': 'Location unknown',

  // Notes
  'notes.title': 'Notes',
  'notes.add': 'Add note',
  'notes.placeholder': 'Write a note about this customer',
  'notes.internal': 'Notes are internal and not visible to the customer.',
  'notes.edit': 'Edit note',
  'notes.save': 'Save note',
  'notes.delete': 'Delete note',
  'notes.deleteConfirm': 'Delete this note?',
  'notes.empty': 'No notes yet.',
  'notes.byline': '{author}, {date}',
  'notes.edited': 'edited',

  // Cart in the profile
  'cart.title': 'Cart',
  'cart.empty': 'The cart is empty.',
  'cart.quantity': 'Qty {count}',
  'cart.inStock': { one: '{count} in stock', other: '{count} in stock' },
  'cart.outOfStock': 'Out of stock',
  'cart.subtotal': 'Subtotal',
  'cart.viewAll': { one: 'View all {count} products', other: 'View all {count} products' },
  'cart.lastActivity': 'Last cart activity {time}',
  'cart.discountApplied': 'Discount code {code} applied',

  // Orders in the profile
  'orders.last': 'Last order',
  'orders.noneRecent': 'No orders in the last {days} days',
  'orders.viewAll': 'View all orders',
  'orders.all': 'All orders',
  'orders.count': { one: '{count} order', other: '{count} orders' },
  'orders.open': 'Open order {name} in the shop admin',
  'order.status.open': 'Open',
  'order.status.paid': 'Paid',
  'order.status.fulfilled': 'Fulfilled',
  'order.status.cancelled': 'Cancelled',
  'order.status.refunded': 'Refunded',

  // Conversation details in the profile
  'details.title': 'Conversation details',
  'details.latestTopic': 'Latest topic',
  'details.noTopic': 'No topic yet',
  'details.status': 'Status',
  'details.platform': 'Platform',
  'details.startedAt': 'Started',
  'status.open': 'Open',
  'status.closed': 'Closed',

  // Topic labels: the classifier's topics (crates/inbox-protocol/src/topic.rs)
  'topic.checkout': 'Checkout',
  'topic.edit_orders': 'Edit orders',
  'topic.order_status': 'Order status',
  'topic.pricing_discounts': 'Pricing/Discounts',
  'topic.product_details': 'Product details',
  'topic.product_interest': 'Product interest',
  'topic.returns': 'Returns/Delivered orders',
  'topic.shipping': 'Shipping',
  'topic.store_info': 'Store info',
  'topic.wholesale': 'Wholesale',
  'topicInfo.checkout': 'Payments or placing a new order.',
  'topicInfo.edit_orders': 'Canceling or changing an order.',
  'topicInfo.order_status': 'Order confirmation, order status, and payment balance.',
  'topicInfo.pricing_discounts': 'Discounts, applying discounts, or promo codes.',
  'topicInfo.product_details':
    'Color, size, quantity, weight, volume, stock and inventory, customization requests, or requests for product photos or videos.',
  'topicInfo.product_interest': 'General product inquiries or interest.',
  'topicInfo.returns': 'Issues with orders received, refunds, and returns for orders received.',
  'topicInfo.shipping': 'Local pickup or shipping costs.',
  'topicInfo.store_info':
    'Contact info such as phone number, location, store hours, general return policy, and marketing requests.',
  'topicInfo.wholesale': 'Wholesale inquiries.',

  // Search
  'search.label': 'Search',
  'search.placeholder': 'Search by customer name, email or keyword',
  'search.hint': 'Press / to search',
  'search.clear': 'Clear search',
  'search.results': { one: '{count} result', other: '{count} results' },
  'search.customers': 'Customers',
  'search.messages': 'Messages',
  'search.noResults': 'No conversations match “{query}”.',
  'search.offline': 'You’re offline. Results come from the conversations on this computer.',

  // Sync status
  'sync.live': 'Live',
  'sync.idle': 'Not connected',
  'sync.connecting': 'Connecting…',
  'sync.syncing': 'Syncing {done} of {total}',
  'sync.syncingUnknown': { one: 'Syncing… {count} change', other: 'Syncing… {count} changes' },
  'sync.offlineSince': 'Offline since {time}',
  'sync.offlineFor': 'Offline for {duration}',
  'sync.reconnecting': 'Reconnecting…',
  'sync.lastSynced': 'Last synced {time}',
  'sync.signedOut': 'Signed out. Sign in again to keep receiving messages.',
  'sync.error': 'Sync stopped: {detail}',
  'sync.outboxPending': {
    one: '1 message waiting to be sent',
    other: '{count} messages waiting to be sent',
  },
  'sync.outboxFailed': { one: '1 message not sent', other: '{count} messages not sent' },

  // Settings
  'settings.title': 'Settings',
  'settings.language': 'Language',
  'settings.languageSystem': 'Same as the system',
  'settings.languageEnglish': 'English',
  'settings.languageSwedish': 'Svenska',
  'settings.cache': 'Offline images',
  'settings.cacheHint':
    'Images customers send are kept on this computer after each sync, newest conversations first, so they show offline.',
  'settings.cacheUse': '{used} of {cap} used',
  'settings.clearCache': 'Clear cache',
  'settings.cacheCleared': 'Cleared. Images come back when shown or after the next sync.',
  'settings.life': 'When the window is closed',
  'settings.keepRunning': 'Keep running when the window is closed',
  'settings.keepRunningOn':
    'Closing the window keeps Inbox in the tray: notifications and sync go on. Quit from the tray menu or with Ctrl+Q (⌘Q).',
  'settings.keepRunningOff':
    'Closing the window quits Inbox. No notifications until you start it again.',
  'settings.startAtLogin': 'Start Inbox when you log in',
  'settings.startAtLoginHint': 'It starts in the tray, without opening the window.',
  'settings.notifications': 'Notifications',
  'settings.notifyWho':
    'You’re notified about new messages in conversations assigned to you and in unassigned ones.',
  'settings.previews': 'Show message text in notifications',
  'settings.previewsHint': 'When off, notifications show only who wrote.',
  'settings.quietHours': 'Quiet hours',
  'settings.quietHoursEnable': 'No notifications during quiet hours',
  'settings.quietHoursFrom': 'From',
  'settings.quietHoursTo': 'To',
  'settings.quietHoursNow': 'Quiet hours until {time}',
  'settings.pause': 'Pause for 1 hour',
  'settings.pausedUntil': 'Notifications paused until {time}',
  'settings.resume': 'Resume notifications',
  'settings.testNotification': 'Send test notification',
  'settings.testNotificationTitle': 'Test notification',
  'settings.testNotificationBody': 'Notifications from Inbox look like this.',
  'settings.notificationsDenied': 'Notifications for Inbox are turned off in the system settings.',
  'settings.appearance': 'Appearance',
  'settings.theme': 'Theme',
  'settings.themeSystem': 'Same as the system',
  'settings.themeLight': 'Light',
  'settings.themeDark': 'Dark',
  'settings.textSize': 'Text size',
  'settings.textSizeHint': 'Also Ctrl and + or - (⌘ on a Mac); Ctrl 0 goes back to 100 %.',
  'settings.opening': 'When you open a conversation',
  'settings.focusComposer': 'Put the cursor in the reply box',
  'settings.focusComposerHint':
    'Off, the list keeps the keyboard, so J, K and Enter go on to the next conversation.',
  'settings.account': 'Account',
  'settings.signedInAs': 'Signed in as {email} at {shop}',

  // About
  'about.title': 'About Inbox',
  'about.version': 'Version {version}',
  'about.versions': 'Versions',
  'about.app': 'App',
  'about.engine': 'Engine',
  'about.webview': 'Web view',
  'about.os': 'Operating system',
  'about.logFolder': 'Log folder',
  'about.openLogFolder': 'Open log folder',
  'about.dataFolder': 'Data folder',
  'about.copyDetails': 'Copy details',

  // Command palette
  'palette.title': 'Command palette',
  'palette.placeholder': 'Type a command',
  'palette.noResults': 'No matching commands',
  'palette.goOpen': 'Go to open conversations',
  'palette.goClosed': 'Go to closed conversations',
  'palette.showMine': 'Show conversations assigned to me',
  'palette.showUnassigned': 'Show unassigned conversations',
  'palette.showAll': 'Show all conversations',
  'palette.search': 'Search conversations',
  'palette.settings': 'Open settings',
  'palette.about': 'About Inbox',
  'palette.shortcuts': 'Show keyboard shortcuts',
  'palette.pause': 'Pause notifications for 1 hour',
  'palette.signOut': 'Sign out',

  // Outbox
  'outbox.title': 'Outbox',
  'outbox.button': 'Outbox',
  'outbox.buttonCount': 'Outbox ({count})',
  'outbox.buttonFailed': 'Outbox: {count} not sent',
  'outbox.empty': 'Everything you did has reached the shop.',
  'outbox.pending': 'Waiting to reach the shop.',
  'outbox.pendingRetrying': 'Waiting to reach the shop (tried {attempts} times).',
  'outbox.failed': 'Not done: {reason}',
  'outbox.open': 'Open conversation',
  'outbox.kind.message': 'Reply',
  'outbox.kind.media': 'Image or video',
  'outbox.kind.close': 'Close conversation',
  'outbox.kind.reopen': 'Reopen conversation',
  'outbox.kind.markUnread': 'Mark as unread',
  'outbox.kind.markRead': 'Mark as read',
  'outbox.kind.assign': 'Assign',
  'outbox.kind.unassign': 'Unassign',
  'outbox.kind.addNote': 'Add note',
  'outbox.kind.editNote': 'Edit note',
  'outbox.kind.deleteNote': 'Delete note',
  'outbox.kind.other': 'Action',

  // Keyboard shortcut help
  'shortcuts.title': 'Keyboard shortcuts',
  'shortcuts.next': 'Next conversation',
  'shortcuts.previous': 'Previous conversation',
  'shortcuts.open': 'Open conversation',
  'shortcuts.toggleStatus': 'Close or reopen conversation',
  'shortcuts.markUnread': 'Mark as unread',
  'shortcuts.assign': 'Assign',
  'shortcuts.search': 'Search',
  'shortcuts.commandPalette': 'Command palette',
  'shortcuts.closeOverlay': 'Close a dialog or panel',
  'shortcuts.help': 'Show keyboard shortcuts',
  'shortcuts.quit': 'Quit Inbox',
  'shortcuts.textBigger': 'Larger text',
  'shortcuts.textSmaller': 'Smaller text',
  'shortcuts.textReset': 'Normal text size',
  'shortcuts.typingNote':
    'While you type in a text field, only Esc and {palette} work as shortcuts.',

  // Errors by the shell's stable error code
  'error.network': 'Can’t reach the shop. Check your connection.',
  'error.transient': 'The shop is busy. Trying again shortly.',
  'error.signed_out': 'Your session has expired. Sign in again.',
  'error.token_expired': 'Your session has expired. Sign in again.',
  'error.unauthenticated': 'You’re signed out. Sign in again.',
  'error.invalid_credentials': 'Wrong email or password.',
  'error.certificate': 'The shop’s certificate isn’t trusted.',
  'error.permission_denied':
    'Your staff account doesn’t have the online store chat permission. Ask the shop owner to give it to you in the shop admin.',
  'error.not_found': 'It doesn’t exist in the shop any more.',
  'error.too_many_products': 'You can share at most three products at a time.',
  'error.no_products': 'Choose at least one product.',
  'error.product_unavailable': 'This product isn’t available in your online store.',
  'error.discount_inactive':
    'This discount code is inactive. Update the code in the shop admin before sharing it.',
  'error.attachment_too_large': 'The file is too large to send.',
  'error.unsupported_media':
    'This file can’t be sent. Send a JPEG, PNG, GIF or WebP image, or an MP4, MOV or WebM video.',
  'error.corrupt_media': 'The file is damaged or isn’t the image or video it claims to be.',
  'error.staff_cannot_chat': 'This staff member doesn’t have permission for online store chat.',
  'error.rate_limited': 'Too many requests. Trying again shortly.',
  'error.database': 'The data on this computer can’t be read. Restart Inbox.',
  'error.local': 'Inbox couldn’t use a file or the keychain on this computer.',
  'error.io': 'Inbox couldn’t read or write a file on this computer.',
  'error.protocol':
    'The shop answered in a way Inbox doesn’t understand. Inbox may need an update.',
  'error.bad_input': 'That can’t be sent as it is.',
  'error.stopped': 'Inbox has stopped talking to the shop. Restart Inbox.',
  'error.internal': 'The shop had a problem. Try again later.',
  'error.shop_reset':
    'The shop was reset after you wrote this, so it can’t be sent: this conversation may now be someone else’s. Copy the text if you still need it.',
  'error.maybe_sent':
    'It may have been sent anyway; the shop’s answer couldn’t be read. Check the conversation before you write it again. Retry won’t send it twice.',
  'error.link_refused': 'This link can’t be opened: it isn’t a web address.',
  'error.no_browser': 'No web browser could open the link. Check your default browser.',
  'error.unknown': 'Something went wrong.',

  // Added with the screens
  'signIn.caFilePlaceholder': '/path/to/ca.pem',
  'message.openLink': 'Open {url} in your browser',
  'palette.writeReply': 'Write a reply',
  // The metrics view's own strings are in metrics.ts, loaded with it.
  'metrics.open': 'Metrics',
} as const satisfies Dictionary;

export type English = typeof en;
export type MessageKey = keyof English;

/**
 * A message chosen by data rather than written at the call site (an error code, a rule's
 * verdict): its key and parameters, translated later with `tPhrase`. Its parameters are not
 * checked against the key at compile time; the i18n tests render every phrase the rules make.
 */
export interface Phrase {
  key: MessageKey;
  params?: Readonly<Record<string, string | number>>;
}
