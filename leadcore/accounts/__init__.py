"""Who may do what: teams and user accounts, sign-in (argon2 passwords, login throttle, verified SSO emails),
API tokens, and the Actor every service receives with the role rules of SPEC §3 (rep, manager, admin).

Imports only leadcore.db and the shared modules (config, errors, emails); every feature above may import it.
"""
