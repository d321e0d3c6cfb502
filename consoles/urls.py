from __future__ import annotations

from django.urls import path

from consoles import views, views_inboxes, views_queues

urlpatterns = [
    path("queues/", views_queues.queue_board, name="queues"),
    path("queues/board/", views_queues.queue_fragment, name="queues-board"),
    path("queues/reassign/<int:conversation_id>/", views_queues.queue_reassign,
         name="queues-reassign"),
    path("settings/", views.index, name="settings"),
    path("settings/inboxes/", views_inboxes.inbox_list, name="settings-inboxes"),
    path("settings/inboxes/new/<slug:kind>/", views_inboxes.inbox_new, name="settings-inbox-new"),
    path("settings/inboxes/<int:inbox_id>/", views_inboxes.inbox_edit, name="settings-inbox"),
    path("settings/inboxes/<int:inbox_id>/token/", views_inboxes.inbox_rotate_token,
         name="settings-inbox-token"),
    path("settings/teams/", views.team_list, name="settings-teams"),
    path("settings/teams/new/", views.team_form, name="settings-team-new"),
    path("settings/teams/<int:team_id>/", views.team_form, name="settings-team"),
    path("settings/agents/", views.agent_list, name="settings-agents"),
    path("settings/agents/<int:agent_id>/", views.agent_form, name="settings-agent"),
]

for what in ("canned", "macros"):
    urlpatterns += [
        path(f"settings/{what}/", views.shared_list, {"what": what}, name=f"settings-{what}"),
        path(f"settings/{what}/new/", views.shared_form, {"what": what},
             name=f"settings-{what}-new"),
        path(f"settings/{what}/<int:item_id>/", views.shared_form, {"what": what},
             name=f"settings-{what}-edit"),
        path(f"settings/{what}/<int:item_id>/delete/", views.shared_delete, {"what": what},
             name=f"settings-{what}-delete"),
    ]
