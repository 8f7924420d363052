"""Domain errors. Each carries a message a person can act on; views show it as it is."""

from accompany.marks import N_


class DomainError(Exception):
    """A rule of the domain said no."""

    message = N_("That could not be done.")
    field: str | None = None  # the form field the message belongs next to, if any
    # About the request as a whole (it lost a race, the form was sent twice): shown as a flash,
    # above whatever page comes next, never next to a field.
    whole_request = False

    def __init__(self, message: str | None = None, **values: object):
        """`message` in English, marked `N_` for the catalogs, with `%(name)s` for each of `values`;
        a page shows it in its own language (committing), a log line in English (`str`)."""
        self.message = message or self.message
        self.values = values
        super().__init__(str(self))

    def __str__(self) -> str:
        if not self.values:
            return self.message
        # An enum value reads as its (English) label, as in a Phrase: "a bond that is “Requested”".
        return self.message % {name: getattr(value, "label", value) for name, value in self.values.items()}


class EmailTaken(DomainError):
    message = N_("An account with that email already exists. Try logging in instead.")


class LoginFailed(DomainError):
    message = N_("That email and password do not match an account.")


class WrongPassword(DomainError):
    message = N_("Your current password is not right.")


class WeakPassword(DomainError):
    message = N_("Choose a password of at least 10 characters.")


class InvitationInvalid(DomainError):
    message = N_("This invitation link is not valid any more. Ask an admin for a new one.")


class NotAVolunteer(DomainError):
    """A volunteer's rule asked of a coordinator's or an admin's account."""

    message = N_("This is not a volunteer's account.")


class NotPending(DomainError):
    message = N_("This volunteer is not waiting for approval.")


class ChangedMeanwhile(DomainError):
    """Another request changed the same thing first (a double tap, two people at once)."""

    whole_request = True
    message = N_("This was changed at the same moment by another request (perhaps the same button pressed "
                 "twice), so this one saved nothing. Look again: what you wanted may already be done.")
