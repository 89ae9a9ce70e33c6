from django.contrib import admin

from supportdesk.assets.models import BackupAccount, Device, Product, Release


class ReleaseInline(admin.TabularInline[Release, Product]):
    model = Release
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ("name", "slug")
    inlines = (ReleaseInline,)


@admin.register(BackupAccount)
class BackupAccountAdmin(admin.ModelAdmin[BackupAccount]):
    list_display = ("name", "company", "product")
    search_fields = ("name",)


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin[Device]):
    list_display = ("name", "company", "product", "version", "operating_system")
    list_filter = ("product",)
    search_fields = ("name",)
