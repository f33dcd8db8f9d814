from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from users.models import User

admin.site.register(User, UserAdmin)
# The Application admin is DOT's own (APPLICATION_ADMIN_CLASS), registered for the swapped model.
