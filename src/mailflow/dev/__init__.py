"""For trying mailflow out and testing it, never used by the daemon itself: the loopback mail
stack (``devstack``: Dovecot + an SMTP relay on free loopback ports), ``mailflow dev`` (the daemon
against it, ``devrun``) and ``mailflow demo`` (a week of one project on a stepping clock:
``demo``, ``demo_scenario``, ``demo_mail``)."""
