"""IMAP polling of existing mailboxes: connect (client), read new mail once (poller),
remember where each folder stands (state), wait for mail with IDLE or a poll interval
(watcher), and the Celery tasks for deployments that poll from beat (tasks)."""
