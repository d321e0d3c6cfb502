"""The demo help center: three categories, a dozen articles (Markdown)."""

from __future__ import annotations

CATEGORIES = [
    ("orders-shipping", "Orders and shipping", "Delivery times, tracking and changing an order"),
    ("returns-refunds", "Returns and refunds", "Sending something back and getting your money"),
    ("account-billing", "Account and billing", "Signing in, passwords, plans and invoices"),
]

# (category slug, slug, title, description, body)
ARTICLES = [
    ("orders-shipping", "delivery-times", "How long does delivery take?",
     "Delivery times by destination, and when your parcel leaves our warehouse.",
     "Orders placed before **2 pm** on a working day leave the warehouse the same day.\n\n"
     "| Destination | Standard | Express |\n|---|---|---|\n| Domestic | 2-3 days | next day |\n"
     "| Europe | 3-5 days | 2 days |\n| Rest of the world | 5-10 days | 3-4 days |\n\n"
     "You get an email with a tracking link as soon as the parcel is handed to the carrier."),
    ("orders-shipping", "track-your-order", "Tracking your order",
     "Where to find the tracking link and what each tracking status means.",
     "Open the shipping confirmation email and choose **Track parcel**. The status moves "
     "from *Label created* to *In transit* to *Out for delivery*.\n\n"
     "If the tracking has not moved for three working days, chat with us: we open an "
     "enquiry with the carrier."),
    ("orders-shipping", "change-or-cancel-order", "Changing or cancelling an order",
     "You can change the address or cancel within an hour of ordering.",
     "Within **one hour** of ordering you can change the delivery address or cancel from "
     "*My orders*. After that the order is being packed: write to us and we will try to "
     "catch it before it ships."),
    ("orders-shipping", "damaged-parcel", "My parcel arrived damaged",
     "What to do when an item arrives broken or the box is crushed.",
     "Sorry about that! Take a photo of the item and the box, then send them to us by chat "
     "or email with your order number. We send a replacement or refund you, your choice, "
     "and you do not need to return the broken item."),
    ("returns-refunds", "return-policy", "Our return policy",
     "30 days to return anything unused, with free return labels.",
     "You can return any unused item within **30 days** of delivery. Return labels are "
     "free for orders in the EU and the US.\n\n1. Open *My orders* and choose **Return**.\n"
     "2. Print the label or show the QR code at the drop-off point.\n3. Pack the item in "
     "its original box."),
    ("returns-refunds", "refund-timing", "When will I get my refund?",
     "Refunds are issued within 3 working days of your return arriving.",
     "We refund within **3 working days** of receiving your return, to the card you paid "
     "with. Your bank may take another 5-10 days to show it on your statement."),
    ("returns-refunds", "warranty-claims", "Warranty claims",
     "Electronics carry a two-year warranty; here is how to claim it.",
     "Every electrical item has a **two-year warranty** from the delivery date. Chat with "
     "us with your order number and a short description of the fault; we send a free "
     "label and repair or replace the item."),
    ("returns-refunds", "exchange-an-item", "Exchanging for another size or colour",
     "Exchanges are a return plus a new order; the new one ships at once.",
     "Start a return and tick **Exchange**: we ship the new size or colour as soon as the "
     "carrier scans your return, so you are not left waiting."),
    ("account-billing", "reset-password", "Resetting your password",
     "Reset links are valid for 30 minutes; what to do if yours has expired.",
     "Choose **Forgot password** on the sign-in page and enter your email address. The "
     "link we send is valid for **30 minutes**. If it has expired, ask for a new one: "
     "only the newest link works."),
    ("account-billing", "change-email-address", "Changing your email address",
     "Update the address you sign in with and receive receipts at.",
     "Go to *Account → Profile*, enter the new address and confirm it from the email we "
     "send there. Until you confirm, the old address keeps working."),
    ("account-billing", "team-plan-pricing", "Team plan pricing",
     "Per-seat prices for monthly and annual billing.",
     "The Team plan is **$22 per seat per month**, or **$18** billed annually. Add or "
     "remove seats at any time; changes are prorated on the next invoice."),
    ("account-billing", "download-invoices", "Downloading invoices",
     "Every invoice is a PDF under Account → Billing.",
     "Open *Account → Billing* and choose **Download** next to any invoice. Need your VAT "
     "number on it? Add it under *Billing details* and we reissue past invoices on request."),
]
