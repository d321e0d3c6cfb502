from __future__ import annotations

from django.urls import path

from workspace import views_actions, views_conversation, views_customer, views_list

urlpatterns = [
    path("", views_list.inbox, name="inbox"),
    path("inbox/rows/", views_list.rows, name="ws-rows"),
    path("inbox/rows/<int:conversation_id>/", views_list.row, name="ws-row"),
    path("search/", views_list.search, name="search"),
    path("notifications/", views_list.notifications, name="notifications"),
    path("notifications/read/", views_list.notifications_read, name="ws-notifications-read"),
    path("conversations/<int:conversation_id>/", views_conversation.conversation_page,
         name="conversation"),
    path("conversations/<int:conversation_id>/timeline/", views_conversation.timeline,
         name="ws-timeline"),
    path("conversations/<int:conversation_id>/items/<int:interaction_id>/",
         views_conversation.timeline_item, name="ws-item"),
    path("conversations/<int:conversation_id>/header/", views_conversation.header,
         name="ws-header"),
    path("conversations/<int:conversation_id>/reply/", views_actions.reply,
         name="ws-reply"),
    path("conversations/<int:conversation_id>/update/", views_actions.update,
         name="ws-update"),
    path("conversations/<int:conversation_id>/merge/", views_actions.merge,
         name="ws-merge"),
    path("conversations/<int:conversation_id>/split/", views_actions.split,
         name="ws-split"),
    path("conversations/<int:conversation_id>/read/", views_actions.mark_read,
         name="ws-read"),
    path("conversations/<int:conversation_id>/macros/<int:macro_id>/",
         views_actions.apply_macro, name="ws-macro"),
    path("interactions/<int:interaction_id>/retry/", views_actions.retry,
         name="ws-retry"),
    path("customers/<int:customer_id>/panel/", views_customer.panel, name="ws-customer-panel"),
    path("customers/<int:customer_id>/edit/", views_customer.edit, name="ws-customer-edit"),
    path("customers/<int:customer_id>/identities/", views_customer.add_identity,
         name="ws-customer-identity"),
    path("customers/<int:customer_id>/merge/", views_customer.merge, name="ws-customer-merge"),
]
