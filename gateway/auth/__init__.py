"""How people get in: registration and approval, invitations, passwords, TOTP, sessions.

Partner systems use API keys instead (gateway/identity.py). Everything here returns outcomes (or field
problems) for the GraphQL layer to report; nothing here reads a request.
"""
