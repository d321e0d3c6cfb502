"""The demo's cast and stories: people, teams, inboxes and the conversations they had.

A story is a list of steps; the loader turns each into a pipeline event or a demo action.
Steps: ("in", channel, text) a customer message, ("out", channel, text) an agent reply,
("call", seconds, summary) an answered inbound call with the agent's note,
("note", text) an internal note. `{placeholders}` are filled per customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.models import Role
from conversations.models import Priority

TEAMS = [("Support", "support"), ("Billing", "billing"), ("Sales", "sales")]

# username, first, last, role, teams, superuser
USERS = [
    ("admin", "Morgan", "Ellis", Role.ADMIN, (), True),
    ("lead", "Priya", "Raman", Role.LEAD, ("support", "billing", "sales"), False),
    ("agent1", "Sam", "Carter", Role.AGENT, ("support",), False),
    ("agent2", "Jordan", "Blake", Role.AGENT, ("billing",), False),
]

# Who answers for each team in the stories.
TEAM_AGENT = {"support": "agent1", "billing": "agent2", "sales": "lead"}

CUSTOMER_NAMES = [
    "Dana Reyes", "Marcus Webb", "Aisha Okafor", "Tom Lindqvist", "Mei Chen", "Rafael Costa",
    "Hannah Fischer", "Omar Haddad", "Lucy Brennan", "Kenji Watanabe", "Sofia Marino",
    "Daniel Kowalski", "Grace Adeyemi", "Ethan Brooks", "Nadia Petrova", "Luis Herrera",
    "Chloe Dubois", "Samuel Osei", "Ingrid Larsen", "Arjun Mehta", "Olivia Grant",
    "Mateo Alvarez", "Fatima Zahra", "Noah Bennett", "Yuki Tanaka", "Isabel Moreno",
    "Patrick Doyle", "Amara Nwosu", "Felix Wagner", "Leila Karimi", "Jack Sullivan",
    "Zara Ahmed", "Henrik Nilsson", "Camila Rocha", "Ben Harper", "Elena Popescu",
    "Kwame Mensah", "Ruby Collins", "Diego Ramirez", "Anna Novak", "Victor Laurent",
    "Maya Patel", "Oscar Jensen", "Tessa Hughes", "Ibrahim Yusuf", "Julia Romano",
    "Liam O'Connor", "Sara Lindholm", "Theo Martin", "Nina Schwarz",
]

EMAIL_DOMAINS = ["example.com", "example.org", "example.net", "mail.example.com"]
US_AREA_CODES = ["415", "212", "312", "617", "206", "512", "303", "646"]


@dataclass(frozen=True)
class Story:
    key: str
    subject: str
    team: str
    tags: list[str]
    steps: list[tuple[object, ...]]
    priority: int = Priority.NORMAL
    # Later conversations of the same customer draw only from repeatable stories.
    repeatable: bool = True
    extra: dict[str, str] = field(default_factory=dict)


CHAT_EMAIL_CALL = Story(
    key="damaged-item",
    subject="Cracked jug on my blender, order {order}",
    team="support",
    tags=["damaged", "replacement"],
    priority=Priority.HIGH,
    repeatable=False,
    steps=[
        ("in", "chat", "Hi! My blender from order {order} arrived with a cracked jug. "
                       "Can I get a replacement?"),
        ("out", "chat", "I'm sorry about that, {first}. Could you email a couple of photos of "
                        "the damage to support@omnidesk.demo? I've noted order {order} here."),
        ("in", "chat", "Sure, I'll send them tonight when I'm home."),
        ("in", "email", "Hello, as promised, here are the photos of the cracked jug (order "
                        "{order}). The outer box was dented too, so I think it happened in "
                        "transit.\n\nThanks,\n{first}"),
        ("out", "email", "Thanks {first}, the photos came through. A replacement is approved "
                         "and no need to return the broken one. Should it go to the same "
                         "address?"),
        ("call", 252, "{first} called to send the replacement to their office instead. Updated "
                      "the shipment for order {order}; tracking {tracking} goes out by email."),
    ],
)

EMAIL_SMS_CALL = Story(
    key="late-delivery",
    subject="Order {order} still not delivered",
    team="support",
    tags=["shipping", "late"],
    steps=[
        ("in", "email", "Hi, I ordered a desk lamp (order {order}) ten days ago and the "
                        "tracking hasn't moved since Monday. Can you check what's going on?"),
        ("out", "email", "Hi {first}, I checked with the carrier: the parcel is held at their "
                         "regional depot. I've asked them to release it and will text you "
                         "when it moves."),
        ("out", "sms", "Hi {first}, {agent} from omnidesk here: your parcel for order {order} "
                       "is on the van today. Reply here if it doesn't arrive."),
        ("in", "sms", "Still nothing and it's 7pm. Is someone going to call me?"),
        ("call", 318, "Called about order {order}: the driver marked it undeliverable. Booked a "
                      "redelivery for tomorrow morning and refunded the shipping fee."),
        ("in", "sms", "Got it this morning, thanks for sorting it out!"),
    ],
)

DOUBLE_CHARGE = Story(
    key="double-charge",
    subject="Charged twice for invoice {invoice}",
    team="billing",
    tags=["billing", "refund"],
    priority=Priority.HIGH,
    steps=[
        ("in", "email", "Hello, my card statement shows two charges of {amount} for invoice "
                        "{invoice} on the same day. Please refund one of them."),
        ("out", "email", "Hi {first}, you're right: the payment was retried after a timeout "
                         "and both went through. I've refunded {amount}; it should show on "
                         "your statement within 5 business days."),
        ("in", "email", "Thank you, I'll keep an eye out for it."),
    ],
)

PASSWORD_RESET = Story(
    key="login-trouble",
    subject="Can't log in after password reset",
    team="support",
    tags=["account", "login"],
    steps=[
        ("in", "chat", "I reset my password but the login page keeps saying the link expired."),
        ("out", "chat", "Let me check, {first}. The reset links are valid for 30 minutes; I've "
                        "just sent you a fresh one. Could you try it now?"),
        ("in", "chat", "That worked, I'm in. Thanks!"),
        ("out", "chat", "Great! Anything else I can help with?"),
    ],
)

TEAM_PLAN = Story(
    key="team-plan",
    subject="Pricing for the Team plan",
    team="sales",
    tags=["pricing", "lead"],
    steps=[
        ("in", "chat", "Hi, we're a team of 14. What would the Team plan cost us on annual "
                       "billing?"),
        ("out", "chat", "Hi {first}! For 14 seats on annual billing it's $18 per seat per "
                        "month. I can email you a formal quote, shall I?"),
        ("in", "chat", "Yes please, to this address."),
        ("out", "email", "Hi {first}, as promised, the quote for 14 Team seats on annual "
                         "billing is attached. It's valid for 30 days."),
        ("in", "email", "Thanks. Our finance team asks whether you accept purchase orders?"),
    ],
)

WHERE_IS_PARCEL = Story(
    key="where-is-parcel",
    subject="",
    team="support",
    tags=["shipping"],
    priority=Priority.LOW,
    steps=[
        ("in", "sms", "Hi, when will order {order} arrive? The app says 'processing' still."),
        ("out", "sms", "Hi {first}, it left our warehouse this morning; tracking {tracking}. "
                       "Expected Thursday."),
        ("in", "sms", "Perfect, thanks"),
    ],
)

WHATSAPP_RETURN = Story(
    key="return-label",
    subject="",
    team="support",
    tags=["returns"],
    steps=[
        ("in", "whatsapp", "Hello! The running shoes from order {order} are too small. How do "
                           "I return them?"),
        ("out", "whatsapp", "Hi {first}! I've emailed you a prepaid return label. Drop the box "
                            "at any post office within 30 days."),
        ("in", "whatsapp", "Got the label, thank you. Can I exchange for a 42 instead of a "
                           "refund?"),
        ("out", "whatsapp", "Yes, I've reserved a size 42 for you; it ships as soon as the "
                            "return is scanned."),
    ],
)

PAYMENT_FAILED = Story(
    key="payment-failed",
    subject="Payment failed for invoice {invoice}",
    team="billing",
    tags=["billing", "card-expired"],
    steps=[
        ("in", "api", "Billing system: automatic payment of {amount} for invoice {invoice} "
                      "failed (card expired)."),
        ("out", "email", "Hi {first}, the card on file has expired, so this month's payment "
                         "of {amount} didn't go through. You can update it under Settings > "
                         "Billing."),
        ("in", "email", "Done, I've added my new card. Can you retry the payment?"),
        ("out", "email", "Retried just now and it went through. Thanks, {first}!"),
    ],
)

VOICEMAIL_SMS = Story(
    key="callback",
    subject="",
    team="support",
    tags=["callback"],
    steps=[
        ("call", 96, "{first} asked whether order {order} can still be changed to express "
                     "shipping. Told them yes, upgrade applied at no charge."),
        ("out", "sms", "Hi {first}, as promised on the phone: order {order} is now on express "
                       "shipping, arriving tomorrow."),
        ("in", "sms", "Brilliant, thank you!"),
    ],
)

CANCEL_SUBSCRIPTION = Story(
    key="cancel-subscription",
    subject="Cancel my subscription",
    team="billing",
    tags=["cancellation", "retention"],
    steps=[
        ("in", "email", "Please cancel my {plan} subscription at the end of this billing "
                        "period. We're moving to a smaller tool."),
        ("out", "email", "Hi {first}, sorry to see you go. Before I cancel: would the Starter "
                         "plan at a third of the price work for you? If not, just confirm and "
                         "I'll cancel at the end of the period."),
    ],
)

ADDRESS_CHANGE = Story(
    key="address-change",
    subject="",
    team="support",
    tags=["shipping", "address"],
    steps=[
        ("in", "sms", "Can I change the delivery address for order {order}? I'm moving on "
                      "Friday."),
        ("out", "sms", "Hi {first}, it hasn't shipped yet, so yes: reply with the new address."),
        ("in", "sms", "42 Harbour Street, Flat 3, same city. Thanks!"),
    ],
)

WARRANTY = Story(
    key="warranty",
    subject="Warranty claim: headphones stopped charging",
    team="support",
    tags=["warranty"],
    repeatable=False,
    steps=[
        ("in", "chat", "My headphones (bought in March) stopped charging. Are they under "
                       "warranty?"),
        ("out", "chat", "They are, {first}: two years. I'll open a claim; please reply to the "
                        "email I'm sending with your order number."),
        ("in", "email", "Here it is: order {order}. They don't charge with any cable I try."),
        ("out", "email", "Thanks {first}, the claim is approved. A courier will collect them on "
                         "Tuesday and a new pair ships the same day."),
        ("call", 174, "{first} called to check the collection time window. Confirmed 9-12 on "
                      "Tuesday, told them to keep the original box."),
    ],
)

TWO_FACTOR = Story(
    key="two-factor",
    subject="",
    team="support",
    tags=["account", "2fa"],
    priority=Priority.HIGH,
    steps=[
        ("in", "sms", "The 2-step code you text me never arrives, and I'm locked out of my "
                      "account."),
        ("out", "sms", "Hi {first}, I've reset your 2-step verification. Sign in with your "
                       "password and you'll be asked to set it up again."),
        ("in", "sms", "I'm in, thank you. Setting up the authenticator app now."),
    ],
)

BULK_ORDER = Story(
    key="bulk-order",
    subject="Discount for 40 office chairs?",
    team="sales",
    tags=["pricing", "bulk"],
    steps=[
        ("in", "email", "Hello, we're furnishing a new office and need 40 of the ErgoOne chairs. "
                        "Do you offer volume pricing and delivery in one go?"),
        ("out", "email", "Hi {first}, for 40 chairs we can offer 15% off and free pallet "
                         "delivery. Shall I prepare a quote with your company details?"),
        ("in", "email", "Yes please. Company: Northwind Studio, VAT number to follow."),
    ],
)

WRONG_SIZE = Story(
    key="wrong-item",
    subject="",
    team="support",
    tags=["returns", "wrong-item"],
    steps=[
        ("in", "whatsapp", "Hi, I ordered the jacket in M (order {order}) and got an XL."),
        ("out", "whatsapp", "So sorry, {first}! An M is on its way today by express; keep the XL "
                            "until the courier picks it up on delivery."),
    ],
)

INVOICE_ADDRESS = Story(
    key="invoice-address",
    subject="Company address on invoice {invoice}",
    team="billing",
    tags=["billing", "invoice"],
    priority=Priority.LOW,
    steps=[
        ("in", "email", "Could you reissue invoice {invoice} with our new company address? "
                        "It's 18 Mill Lane, Leeds LS1 4AB."),
        ("out", "email", "Hi {first}, done: the corrected invoice {invoice} is attached and your "
                         "billing address is updated for future invoices."),
    ],
)

# The cross-channel journeys come first: the first customers all get one of them.
JOURNEYS = [CHAT_EMAIL_CALL, WARRANTY, EMAIL_SMS_CALL]
STORIES = [
    CHAT_EMAIL_CALL, EMAIL_SMS_CALL, DOUBLE_CHARGE, PASSWORD_RESET, TEAM_PLAN, WHERE_IS_PARCEL,
    WHATSAPP_RETURN, PAYMENT_FAILED, VOICEMAIL_SMS, CANCEL_SUBSCRIPTION, ADDRESS_CHANGE, WARRANTY,
    TWO_FACTOR, BULK_ORDER, WRONG_SIZE, INVOICE_ADDRESS,
]
PLANS = ["Starter", "Team", "Business"]


# (name, shortcut, body, team slug or None, owner username or None): the workspace's "/".
CANNED_RESPONSES = [
    ("Greeting", "hi", "Hi {{ customer.first_name }}, thanks for reaching out. "
     "{{ agent.first_name }} here, I'm looking into it now.", None, None),
    ("Refund on its way", "refund", "Hi {{ customer.first_name }}, your refund went out "
     "today; it shows on your statement within 3 to 5 business days.", "support", None),
    ("Need the order number", "order", "Could you send me the order number? It starts with "
     "# and is in your confirmation email.", "support", None),
    ("Sign-off", "bye", "Glad I could help! Reply here any time. {{ agent.name }}", None,
     "agent1"),
]
# (name, description, steps), shared with Support.
MACROS = [
    ("Refund sent", "Tell the customer, tag, and wait for them", [
        {"type": "reply", "text": "Hi {{ customer.first_name }}, your refund went out today; "
                                  "it shows within 3 to 5 business days."},
        {"type": "add_tags", "tags": ["refund"]},
        {"type": "status", "status": "pending"},
    ]),
    ("Escalate", "Urgent, back to the team's queue, with a note", [
        {"type": "note", "text": "Escalated by {{ agent.name }}: urgent, back to the "
                                 "queue."},
        {"type": "priority", "priority": 3},
        {"type": "assign", "user_id": None},
    ]),
]
