from __future__ import annotations

from django.urls import path

from workspace import views_actions, views_conversation, views_customer, views_list

urlpatterns = [
    path("", views_list.inbox, name="inbox"),
    path("inbox/rows/", views_list.rows, name="inbox-rows"),
    path("inbox/rows/<int:conversation_id>/", views_list.row, name="inbox-row"),
    path("search/", views_list.search, name="search"),
    path("notifications/", views_list.notifications, name="notifications"),
    path("notifications/read/", views_list.notifications_read, name="notifications-read"),
    path("conversations/<int:conversation_id>/", views_conversation.conversation_page,
         name="conversation"),
    path("conversations/<int:conversation_id>/timeline/", views_conversation.timeline,
         name="conversation-timeline"),
    path("conversations/<int:conversation_id>/items/<int:interaction_id>/",
         views_conversation.timeline_item, name="conversation-item"),
    path("conversations/<int:conversation_id>/header/", views_conversation.header,
         name="conversation-header"),
    path("conversations/<int:conversation_id>/reply/", views_actions.reply,
         name="conversation-reply"),
    path("conversations/<int:conversation_id>/update/", views_actions.update,
         name="conversation-update"),
    path("conversations/<int:conversation_id>/merge/", views_actions.merge,
         name="conversation-merge"),
    path("conversations/<int:conversation_id>/split/", views_actions.split,
         name="conversation-split"),
    path("conversations/<int:conversation_id>/read/", views_actions.mark_read,
         name="conversation-read"),
    path("conversations/<int:conversation_id>/macros/<int:macro_id>/",
         views_actions.apply_macro, name="conversation-macro"),
    path("interactions/<int:interaction_id>/retry/", views_actions.retry,
         name="interaction-retry"),
    path("customers/<int:customer_id>/panel/", views_customer.panel, name="customer-panel"),
    path("customers/<int:customer_id>/edit/", views_customer.edit, name="customer-edit"),
    path("customers/<int:customer_id>/identities/", views_customer.add_identity,
         name="customer-identity"),
    path("customers/<int:customer_id>/merge/", views_customer.merge, name="customer-merge"),
]
