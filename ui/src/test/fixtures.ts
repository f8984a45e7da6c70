// Engine data for component tests, shaped as the generated bindings serialise it.
import type {
  ConversationSummary_Serialize,
  ConversationView_Serialize,
  DiscountCode_Serialize,
  MessageView_Serialize,
  Product_Serialize,
  Staff,
} from '../bindings';

export const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

export function summary(
  over: Partial<ConversationSummary_Serialize> = {},
): ConversationSummary_Serialize {
  return {
    id: 1,
    customer_id: 10,
    customer_name: 'Anna Berg',
    customer_email: 'anna@example.com',
    customer_email_verified: true,
    platform: 'online_store',
    status: 'open',
    snoozed_until: null,
    assignee_id: null,
    customer_online: false,
    last_message_at: NOW - 60_000,
    last_message: { type: 'text', text: 'Do you have the socks in size 40?' },
    unread: false,
    topics: [],
    ...over,
  };
}

export const staff: Staff[] = [
  { id: 1, name: 'Astrid Lind', email: 'astrid@shop.example', permissions: ['online_store_chat'] },
  {
    id: 2,
    name: 'Bo Ek',
    email: 'bo@shop.example',
    permissions: ['online_store_chat', 'customers'],
  },
  { id: 3, name: 'Cecilia Ny', email: 'cecilia@shop.example', permissions: ['customers'] },
];

export function product(id: number, over: Partial<Product_Serialize> = {}): Product_Serialize {
  return {
    id,
    title: `Product ${id}`,
    description: '',
    image_url: null,
    url: `https://shop.example/products/${id}`,
    online_store: true,
    variants: [
      {
        id: id * 10,
        title: 'Default',
        options: [],
        price: { minor: 19900, currency: 'SEK' },
        stock: 3,
      },
      {
        id: id * 10 + 1,
        title: 'Large',
        options: [],
        price: { minor: 14900, currency: 'SEK' },
        stock: 1,
      },
    ],
    ...over,
  };
}

export function discount(over: Partial<DiscountCode_Serialize> = {}): DiscountCode_Serialize {
  return {
    id: 1,
    code: 'WINTER15',
    status: 'ACTIVE',
    summary: '15% off all products',
    starts_at: NOW - 86_400_000,
    ends_at: null,
    ...over,
  };
}

export function message(
  over: Partial<MessageView_Serialize['message']> = {},
  state: MessageView_Serialize['send_state'] = { state: 'sent' },
): MessageView_Serialize {
  return {
    message: {
      id: 100,
      conversation_id: 1,
      author: { kind: 'customer', customer_id: 10 },
      body: { type: 'text', text: 'Hello' },
      delivery: null,
      created_at: NOW - 120_000,
      ...over,
    },
    send_state: state,
    outbox_id: state.state === 'sent' ? null : 7,
  };
}

export function view(over: Partial<ConversationView_Serialize> = {}): ConversationView_Serialize {
  return {
    conversation: {
      id: 1,
      customer_id: 10,
      platform: 'online_store',
      status: 'open',
      assignee_id: null,
      contact_email: 'anna@example.com',
      customer_online: true,
      created_at: NOW - 3_600_000,
      updated_at: NOW - 60_000,
      last_message_at: NOW - 60_000,
      topics: [],
      snoozed_until: null,
      woke_at: null,
    },
    customer: null,
    assignee: null,
    read_state: null,
    timeline: [{ kind: 'message', ...message() }],
    cart: null,
    draft: null,
    ...over,
  };
}

export const ok = <T>(data: T) => Promise.resolve({ status: 'ok' as const, data });
export const fail = (code: string, message = code) =>
  Promise.resolve({ status: 'error' as const, error: { code, message } });
