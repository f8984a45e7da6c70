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

export interface OrderEvent {
  id: number;
  conversation_id: number;
  order_id: number;
  order_name: string;
  total: Money;
  created_at: number;
}

export interface ChatTranscript {
  conversation_id: number;
  messages: Message[];
  cart_events: CartEvent[];
  order_events?: OrderEvent[];
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

export interface ShippingOption {
  id: string;
  name: string;
  price: Money;
}

export interface CheckoutLine {
  product_id: number;
  variant_id: number;
  product_name: string;
  options: string[];
  quantity: number;
  unit_price: Money;
  line_total: Money;
  available: number;
}

export interface AppliedDiscount {
  code: string;
  summary: string;
  amount: Money;
}

export interface CheckoutQuote {
  lines: CheckoutLine[];
  subtotal: Money;
  discount: AppliedDiscount | null;
  /** The cart's code when this order can't use it, and why (English, from the shop). */
  discount_refused: { code: string; problem: string; reason: string } | null;
  shipping_options: ShippingOption[];
  shipping: ShippingOption;
  total: Money;
}

export interface ShippingAddress {
  name: string;
  line1: string;
  line2: string | null;
  postal_code: string;
  city: string;
  country: string;
}

export interface PlaceOrder {
  email: string;
  shipping_address: ShippingAddress;
  shipping_method: string;
  card_number: string;
}

export interface Order {
  id: number;
  customer_id: number;
  name: string;
  created_at: number;
  total: Money;
  status: string;
}

export interface OrderConfirmation {
  order: Order;
  email: string;
  shipping_address: ShippingAddress;
  lines: CheckoutLine[];
  subtotal: Money;
  discount: AppliedDiscount | null;
  shipping: ShippingOption;
  total: Money;
}

/** What arrives on the chat's event stream. */
export type ChatEvent =
  | { event: 'message'; data: Message }
  | { event: 'cart_event'; data: CartEvent }
  | { event: 'cart'; data: Cart | null }
  | { event: 'order_event'; data: OrderEvent };
