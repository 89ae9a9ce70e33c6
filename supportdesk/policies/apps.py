from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "supportdesk.policies"
    verbose_name = "Support policy"

    def ready(self) -> None:
        # Load the policy at start-up so a broken SUPPORTDESK_POLICY file stops
        # the desk with its one-line message instead of failing a request later.
        from supportdesk.policies.active import active_policy

        active_policy()
