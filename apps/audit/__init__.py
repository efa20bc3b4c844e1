"""The audit log as people read it: pages, API and xlsx export over ``core.AuditEvent``.

``core`` owns the append-only record and ``audit_record()``; reading it needs the actor and
its scope (``registration.access``), so the readers live here, above ``registration``.
A Django app without models, installed so its ``ready`` registers its action, audit action
and menu item; its template is ``templates/audit/audit_list.html``.
"""
