from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "supportdesk.policies"
    verbose_name = "Support policy"

    def ready(self) -> None:
        # Load the policy file at start-up so a broken SUPPORTDESK_POLICY stops
        # the desk with its one-line message instead of failing a request later.
        # (Which stored version is in force is asked of the database later:
        # not here, where the database may not even be migrated yet.)
        from supportdesk.policies.active import file_policy

        file_policy()
