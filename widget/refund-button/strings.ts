/** @module Every word the widget shows, in Korean and English (from shared widget-copy.md); `strings` overrides any. */
import type { ErrorCode } from '../../shared/errors.ts';
import type { NotRefundableReason } from '../../shared/schemas/refund-view.ts';

export type Lang = 'ko' | 'en';

/** The code of a failure: one of the proxy's codes, or `NETWORK` when no answer came back. */
export type FailureCode = ErrorCode | 'NETWORK';

/**
 * What a failure says: its code's text, or what the widget knows better: `offline` (no answer, and the browser is
 * offline), `expired` (UNAUTHORIZED, and the grant's own `exp` has passed), or, when a refund (REFUND_OUTCOME_UNKNOWN's
 * text) or a request (`requestUnknown`) was sent and no answer of the proxy's own came back, that what it did is not
 * known yet.
 */
export type FailureText = FailureCode | 'offline' | 'expired' | 'requestUnknown';

/**
 * The widget's text. `{name}` placeholders are filled in when shown: `{amount}`, `{min}`, `{max}`, `{refunded}`,
 * `{left}`, `{bank}`, `{account}`, `{holder}`, `{days}`, `{date}`, `{reason}`. The proxy's own message is never shown
 * (it is in the `refund-error` event's detail).
 */
export type RefundButtonStrings = Record<FailureText | NotRefundableReason, string> & {
  button: string;
  title: string;
  loading: string;
  loadFailed: string;
  retry: string;
  /** The retry after an unknown outcome, and the reload of a view whose outcome is being checked. */
  checkAgain: string;
  paid: string;
  refunded: string;
  refundable: string;
  orderAmount: string;
  amount: string;
  full: string;
  partial: string;
  upTo: string;
  reason: string;
  /** The preset reasons offered when the `reasons` attribute is absent. */
  presets: readonly string[];
  other: string;
  otherLabel: string;
  choose: string;
  account: string;
  holder: string;
  bank: string;
  accountNumber: string;
  accountHint: string;
  phone: string;
  next: string;
  close: string;
  confirmTitle: string;
  confirmBody: string;
  confirmAccount: string;
  refund: string;
  back: string;
  submitting: string;
  done: string;
  doneDetail: string;
  /** The heading of a refund the PG pays out later (a virtual account's). */
  pending: string;
  /** When the money arrives, for a payout within one business day. */
  pendingDetail: string;
  /** The heading of a refund the payment provider accepted and finishes later (PortOne V2): not done yet. */
  accepted: string;
  /** What happens next to an accepted refund, instead of what was refunded. */
  acceptedDetail: string;
  /** When the money arrives, within `{days}` business days (a number, or a `dayRange`). */
  payoutIn: string;
  /** When the money arrives, after `{days}` business days or more. */
  payoutOver: string;
  /** How a range of business days is written in `payoutIn`: `{min}` and `{max}`. */
  dayRange: string;
  /** What to do when the payment cannot be refunded here; the `contact` link follows it. */
  contactShop: string;
  receipt: string;
  ok: string;
  revokeNote: string;
  revokeTitle: string;
  revokeBody: string;
  revoke: string;
  revoked: string;
  revokedDetail: string;
  amountError: string;
  /** A preset reason must be chosen. */
  reasonChoose: string;
  /** A reason must be typed. */
  reasonError: string;
  holderError: string;
  /** Beside the holder, once the bank confirmed the account's holder. */
  verified: string;
  bankError: string;
  accountError: string;
  phoneError: string;
  // Request mode: the dialog ends in a request the shop decides on, and shows where the order's latest one stands.
  /** The confirm step's title in request mode. */
  requestTitle: string;
  /** That the shop reviews a request first (under its confirm and its "received"). */
  requestNote: string;
  /** The confirm step's button in request mode. */
  send: string;
  sending: string;
  /** A request waiting for the shop, also right after it was sent. */
  requested: string;
  /** Its amount and the day it was made: `{amount}`, `{date}`. */
  requestedDetail: string;
  withdraw: string;
  withdrawTitle: string;
  withdrawing: string;
  withdrawn: string;
  /** Approved: its refund is running (with `requestedDetail` under it, and `approvedAmount` when staff lowered it). */
  approved: string;
  /** The amount staff approved, when lower than asked: `{amount}`. */
  approvedAmount: string;
  rejected: string;
  /** The shop's reason for rejecting: `{reason}`. */
  rejectReason: string;
  /** Approved, but the refund did not go through. */
  requestFailed: string;
  requestFailedDetail: string;
  /** Ask again, after a request that ended. */
  again: string;
};

/** A text in each language. */
type Texts = {
  readonly [K in keyof RefundButtonStrings]: readonly [ko: RefundButtonStrings[K], en: RefundButtonStrings[K]];
};

// PortOne V2's refusals the customer cannot fix (its per-payment cancel limit, the grant's tax split): the shop can.
const ASK_THE_SHOP = [
  '상점에서 환불을 완료하지 못했어요. 상점에 문의해 주세요.',
  "The shop couldn't complete the refund. Please contact the shop.",
] as const;

/** Every text as `[Korean, English]`: a translation sits next to what it translates, and each key is written once. */
const TEXTS: Texts = {
  button: ['환불 요청', 'Request refund'],
  title: ['환불 요청', 'Request a refund'],
  loading: ['결제 정보를 불러오는 중이에요', 'Loading the payment…'],
  loadFailed: ['결제 정보를 불러오지 못했어요.', "Couldn't load the payment."],
  retry: ['다시 시도', 'Try again'],
  checkAgain: ['다시 확인', 'Check again'],
  paid: ['결제 금액', 'Paid'],
  refunded: ['환불된 금액', 'Already refunded'],
  refundable: ['환불 가능 금액', 'Refundable'],
  orderAmount: ['주문 금액', 'Order amount'],
  amount: ['환불 금액', 'Refund amount'],
  full: ['전액 환불', 'Full refund'],
  partial: ['부분 환불', 'Partial refund'],
  upTo: ['최대 {amount}', 'Up to {amount}'],
  reason: ['환불 사유', 'Reason'],
  presets: [
    ['단순 변심', '상품 불량·파손', '배송 지연', '주문 실수'],
    ['Changed my mind', 'Damaged or defective', 'Late delivery', 'Ordered by mistake'],
  ],
  other: ['기타 (직접 입력)', 'Other (type it)'],
  otherLabel: ['환불 사유 직접 입력', 'Your reason'],
  choose: ['선택해 주세요', 'Choose…'],
  account: ['환불받을 계좌', 'Account for the refund'],
  holder: ['예금주', 'Account holder'],
  bank: ['은행', 'Bank'],
  accountNumber: ['계좌번호', 'Account number'],
  accountHint: ["숫자만 입력해 주세요. '-'는 넣어도 돼요.", 'Digits; hyphens are fine.'],
  phone: ['휴대폰 번호', 'Phone number'],
  next: ['다음', 'Continue'],
  close: ['닫기', 'Close'],
  confirmTitle: ['{amount}을 환불할까요?', 'Refund {amount}?'],
  confirmBody: ['환불한 뒤에는 되돌릴 수 없어요.', "This can't be undone."],
  confirmAccount: [
    '{bank} {account} (예금주 {holder}) 계좌로 환불돼요.',
    'It will be paid into {bank} {account} ({holder}).',
  ],
  refund: ['환불하기', 'Refund'],
  back: ['돌아가기', 'Back'],
  submitting: ['환불을 처리하고 있어요', 'Processing the refund…'],
  done: ['환불이 완료되었어요', 'Refund complete'],
  doneDetail: ['{refunded} 환불 · 남은 금액 {left}', '{refunded} refunded · {left} left'],
  pending: ['환불이 완료되었어요', 'Refund complete'],
  pendingDetail: ['영업일 기준 1일 안에 입금돼요.', 'The money arrives within one business day.'],
  accepted: ['환불이 접수되었어요', 'Refund accepted'],
  acceptedDetail: ['결제사에서 처리하고 있어요.', 'The payment provider is still processing it.'],
  payoutIn: ['영업일 기준 {days}일 안에 입금돼요.', 'The money arrives within {days} business days.'],
  payoutOver: [
    '입금까지 영업일 기준 {days}일 이상 걸릴 수 있어요.',
    'The money can take {days} or more business days to arrive.',
  ],
  dayRange: ['{min}~{max}', '{min}–{max}'],
  contactShop: ['도움이 필요하면 상점에 문의해 주세요.', 'If you need help, please contact the shop.'],
  receipt: ['영수증 보기', 'View receipt'],
  ok: ['확인', 'Done'],
  revokeNote: [
    '아직 입금되지 않은 가상계좌예요. 돌려받을 금액은 없고, 계좌 발급이 취소돼요.',
    "Nothing has been paid into this virtual account yet, so there's nothing to refund: the deposit account will be cancelled.",
  ],
  revokeTitle: ['가상계좌를 취소할까요?', 'Cancel the deposit account?'],
  revokeBody: ['취소한 뒤에는 이 계좌로 입금할 수 없어요.', "After this, the account can't take payments."],
  revoke: ['취소하기', 'Cancel the deposit account'],
  revoked: ['가상계좌가 취소되었어요', 'Deposit account cancelled'],
  revokedDetail: ['이제 이 계좌로는 입금할 수 없어요.', 'It can no longer take payments.'],
  amountError: ['{min} 이상 {max} 이하로 입력해 주세요.', 'Enter an amount from {min} to {max}.'],
  reasonChoose: ['환불 사유를 선택해 주세요.', 'Choose a reason.'],
  reasonError: ['환불 사유를 입력해 주세요.', 'Please give a reason.'],
  holderError: ['예금주 이름을 입력해 주세요.', "Enter the account holder's name."],
  verified: ['확인됨', 'Verified'],
  bankError: ['은행을 선택해 주세요.', 'Choose a bank.'],
  accountError: ['계좌번호를 숫자로 정확히 입력해 주세요.', 'Enter the account number in digits.'],
  phoneError: ['휴대폰 번호를 정확히 입력해 주세요.', 'Enter a valid phone number.'],
  requestTitle: ['{amount} 환불을 요청할까요?', 'Request a refund of {amount}?'],
  requestNote: ['상점에서 확인한 뒤 환불해 드려요.', 'The shop will review it before refunding.'],
  send: ['요청하기', 'Send request'],
  sending: ['환불 요청을 보내고 있어요', 'Sending the request…'],
  requested: ['요청이 접수되었어요', 'Request received'],
  requestedDetail: ['{date} 요청 · {amount}', '{amount} · requested {date}'],
  withdraw: ['요청 취소', 'Withdraw request'],
  withdrawTitle: ['환불 요청을 취소할까요?', 'Withdraw your refund request?'],
  withdrawing: ['환불 요청을 취소하고 있어요', 'Withdrawing the request…'],
  withdrawn: ['환불 요청을 취소했어요', 'Request withdrawn'],
  approved: ['환불을 진행하고 있어요', 'Your refund is being processed'],
  approvedAmount: ['승인된 금액 {amount}', 'Approved: {amount}'],
  rejected: ['환불 요청이 거절되었어요', 'Your refund request was declined'],
  rejectReason: ['상점의 답변: {reason}', "The shop's reason: {reason}"],
  requestFailed: ['환불이 처리되지 않았어요', "The refund didn't go through"],
  requestFailedDetail: [
    '환불을 시도했지만 처리되지 않았어요. 상점에서 확인하고 연락드릴 거예요.',
    "The refund was attempted but didn't go through. The shop will follow up.",
  ],
  again: ['다시 요청', 'Request again'],
  fully_refunded: ['이미 전액 환불된 주문이에요.', 'This order has already been fully refunded.'],
  phone_previous_month: [
    '휴대폰 결제는 결제한 달에만 환불할 수 있어요.',
    'Phone payments can only be refunded in the month they were made.',
  ],
  not_paid: ['결제가 완료되지 않은 주문이에요.', "This order hasn't been paid."],
  refund_account_unsupported: [
    '이 결제는 여기서 계좌로 환불할 수 없어요.',
    "This payment can't be refunded to a bank account here.",
  ],
  request_mode_off: ['지금은 환불 요청을 받을 수 없어요.', "Refund requests can't be taken right now."],
  OUTCOME_PENDING_CHECK: [
    "이 주문의 환불 결과를 확인하고 있어요. 중복 환불은 되지 않으니 잠시 후 '다시 확인'을 눌러 주세요.",
    "We're confirming this order's refund. You won't be refunded twice; check again in a moment.",
  ],
  INVALID_REQUEST: ['입력한 내용을 다시 확인해 주세요.', 'Please check what you entered.'],
  REFUND_ACCOUNT_REQUIRED: ['환불받을 계좌 정보를 입력해 주세요.', 'Enter the account for the refund.'],
  REFUND_ACCOUNT_HOLDER_MISMATCH: ['예금주가 계좌와 맞지 않아요.', "The holder doesn't match this account."],
  UNAUTHORIZED: [
    '지금은 환불을 진행할 수 없어요. 상점에 문의해 주세요.',
    "Refunds can't be made here right now. Please contact the shop.",
  ],
  expired: ['이 화면이 오래되었어요. 새로고침해 주세요.', 'This page is out of date. Please reload it.'],
  FORBIDDEN: ['이 주문을 환불할 권한이 없어요.', "You can't refund this order."],
  PAYMENT_NOT_FOUND: ['결제 정보를 찾을 수 없어요.', "We couldn't find this payment."],
  PAYMENT_NOT_PAID: ['결제가 완료되지 않은 주문이에요.', "This order hasn't been paid."],
  PAYMENT_ALREADY_CANCELLED: ['이미 전액 환불된 주문이에요.', 'This order has already been fully refunded.'],
  CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT: ['환불 가능 금액보다 많아요.', "That's more than can be refunded."],
  CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN: [
    '환불 가능 금액이 바뀌었어요. 금액을 다시 확인해 주세요.',
    'The refundable amount has changed. Please check it again.',
  ],
  MAX_CANCEL_COUNT_REACHED: ASK_THE_SHOP,
  CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT: ASK_THE_SHOP,
  CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT: ASK_THE_SHOP,
  SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT: ASK_THE_SHOP,
  REFUND_NOT_ALLOWED: ['지금은 이 결제를 환불할 수 없어요.', "This payment can't be refunded now."],
  REFUND_IN_PROGRESS: [
    '이 주문의 다른 환불을 처리하고 있어요. 잠시 후 다시 시도해 주세요.',
    'Another refund for this order is in progress. Try again in a moment.',
  ],
  REFUND_REQUEST_OPEN: ['이 주문에는 이미 접수된 환불 요청이 있어요.', 'This order already has a refund request.'],
  REFUND_REQUEST_DECIDED: ['이 요청은 이미 처리되었어요.', 'This request has already been handled.'],
  REFUND_REQUEST_NOT_ALLOWED: [
    '이 주문은 다시 환불을 요청할 수 없어요. 상점에 문의해 주세요.',
    "You can't request a refund for this order again. Please contact the shop.",
  ],
  PAYLOAD_TOO_LARGE: [
    '요청이 너무 커요. 내용을 줄여 다시 시도해 주세요.',
    'The request is too large. Shorten it and try again.',
  ],
  IDEMPOTENCY_KEY_REUSED: [
    '요청을 처리하지 못했어요. 다시 시도해 주세요.',
    "We couldn't process that request. Please try again.",
  ],
  RATE_LIMITED: ['요청이 너무 많아요. 잠시 후 다시 시도해 주세요.', 'Too many attempts. Please wait a moment.'],
  PG_PROVIDER: ASK_THE_SHOP,
  UPSTREAM_UNAVAILABLE: [
    '결제사와 연결되지 않아 환불하지 못했어요. 잠시 후 다시 시도해 주세요.',
    "We couldn't reach the payment provider, so nothing was refunded. Please try again.",
  ],
  REFUND_OUTCOME_UNKNOWN: [
    "환불 결과를 아직 확인하지 못했어요. 중복 환불은 되지 않으니 잠시 후 '다시 확인'을 눌러 주세요.",
    "We couldn't confirm the refund yet. You won't be refunded twice; check again in a moment.",
  ],
  INTERNAL: ['일시적인 오류가 생겼어요. 잠시 후 다시 시도해 주세요.', 'Something went wrong. Please try again.'],
  NETWORK: [
    '상점의 환불 서비스에 연결하지 못했어요. 잠시 후 다시 시도해 주세요.',
    "We couldn't reach the shop's refund service. Please try again in a moment.",
  ],
  offline: ['인터넷 연결을 확인해 주세요.', 'Please check your connection.'],
  requestUnknown: [
    "요청이 접수되었는지 아직 확인하지 못했어요. 두 번 접수되지 않으니 잠시 후 '다시 확인'을 눌러 주세요.",
    "We couldn't confirm your request was received yet. It won't be sent twice; check again in a moment.",
  ],
};

/** One language's column of TEXTS. */
const column = (i: 0 | 1): RefundButtonStrings =>
  // TEXTS has every key, so the entries make a whole RefundButtonStrings.
  Object.fromEntries(Object.entries(TEXTS).map(([key, texts]) => [key, texts[i]])) as RefundButtonStrings;

/** The default strings per language. */
export const STRINGS: Readonly<Record<Lang, RefundButtonStrings>> = { ko: column(0), en: column(1) };
