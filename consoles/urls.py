from __future__ import annotations

from django.urls import path

from consoles import views, views_inboxes, views_queues, views_routing

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
    path("settings/agents/invite/", views.agent_invite, name="settings-agent-invite"),
    path("settings/agents/<int:agent_id>/", views.agent_form, name="settings-agent"),
    path("settings/agents/<int:agent_id>/resend/", views.agent_resend,
         name="settings-agent-resend"),
    path("settings/agents/<int:agent_id>/deactivate/", views.agent_deactivate,
         name="settings-agent-deactivate"),
    path("settings/agents/<int:agent_id>/reactivate/", views.agent_reactivate,
         name="settings-agent-reactivate"),
    path("settings/agents/<int:agent_id>/routing/", views_routing.agent_routing,
         name="settings-agent-routing"),
    path("settings/teams/<int:team_id>/routing/", views_routing.team_routing,
         name="settings-team-routing"),
    path("settings/routing/", views_routing.rule_list, name="settings-routing"),
    path("settings/routing/new/", views_routing.rule_form, name="settings-rule-new"),
    path("settings/routing/<int:rule_id>/", views_routing.rule_form, name="settings-rule"),
    path("settings/routing/<int:rule_id>/move/", views_routing.rule_move,
         name="settings-rule-move"),
    path("settings/routing/<int:rule_id>/delete/", views_routing.rule_delete,
         name="settings-rule-delete"),
    path("settings/sla/", views_routing.policy_list, name="settings-sla"),
    path("settings/sla/new/", views_routing.policy_form, name="settings-sla-new"),
    path("settings/sla/<int:policy_id>/", views_routing.policy_form, name="settings-sla-edit"),
    path("settings/sla/<int:policy_id>/delete/", views_routing.policy_delete,
         name="settings-sla-delete"),
    path("settings/hours/", views_routing.hours_list, name="settings-hours"),
    path("settings/hours/new/", views_routing.hours_form, name="settings-hours-new"),
    path("settings/hours/<int:hours_id>/", views_routing.hours_form,
         name="settings-hours-edit"),
    path("settings/hours/<int:hours_id>/delete/", views_routing.hours_delete,
         name="settings-hours-delete"),
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
