"""Staff reach the Django admin only through our sign-in and with two-step verification on."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from accounts.twostep import TWO_STEP_MESSAGE, has_two_step


class StaffTwoStepMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        if request.path.startswith(self.admin_prefix):
            user = request.user
            if user.is_authenticated and user.is_active and user.is_staff and not has_two_step(user):
                messages.warning(request, TWO_STEP_MESSAGE)
                return redirect("mfa_activate_totp")
        return self.get_response(request)
