// The wire types the widget reads, as inbox-protocol defines them (docs/api/openapi.json).
// Only what the widget uses; unknown fields and variants are ignored, never trusted.

export interface Money {
  /** Integer minor units. */
  minor: number;
  currency: string;
}

export type Author =
  { kind: 'customer'; customer_id: number } | { kind: 'staff'; staff_id: number };

export interface ProductCard {
  product_id: number;
  title: string;
  price: Money;
  image_url: string | null;
  url: string;
}

export interface DiscountCard {
  discount_id: number;
  code: string;
  summary: string;
}

export interface Attachment {
  upload_id: string;
  kind: 'image' | 'video';
  mime: string;
  width: number | null;
  height: number | null;
  url: string;
}

export type MessageBody =
  | { type: 'text'; text: string }
  | { type: 'products'; text: string | null; products: ProductCard[] }
  | { type: 'discount'; discount: DiscountCard }
  | { type: 'attachment'; text: string | null; attachment: Attachment };

export interface Message {
  id: number;
  conversation_id: number;
  author: Author;
  body: MessageBody;
  delivery: { via: 'platform' | 'email' } | null;
  created_at: number;
}

export type CartAction = 'added' | 'removed';

export interface CartEvent {
  id: number;
  conversation_id: number;
  action: CartAction;
  product_id: number;
  /** Only when the name is shorter than 41 characters (the shop's rule). */
  product_name: string | null;
  quantity: number;
  created_at: number;
}

export interface CartLine {
  product_id: number;
  variant_id: number;
  product_name: string;
  options: string[];
  quantity: number;
  unit_price: Money;
  available: number;
}

export interface Cart {
  customer_id: number;
  lines: CartLine[];
  subtotal: Money;
  discount_code: string | null;
  updated_at: number;
}

export interface ChatSession {
  token: string;
  conversation_id: number;
  customer_id: number;
  email_verified: boolean;
  expires_at: number;
}

export interface ChatTranscript {
  conversation_id: number;
  messages: Message[];
  cart_events: CartEvent[];
  cart: Cart | null;
}

export interface Variant {
  id: number;
  title: string;
  options: string[];
  price: Money;
  stock: number;
}

export interface Product {
  id: number;
  title: string;
  description: string;
  image_url: string | null;
  url: string;
  online_store: boolean;
  variants: Variant[];
}

/** What arrives on the chat's event stream. */
export type ChatEvent =
  | { event: 'message'; data: Message }
  | { event: 'cart_event'; data: CartEvent }
  | { event: 'cart'; data: Cart | null };
