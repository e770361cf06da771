# German: "29.11.2026" and "29.11.2026, 14:00" everywhere (Django's default spells the month
# out in DATE_FORMAT but not in SHORT_DATE_FORMAT: two styles on one page).
DATE_FORMAT = "d.m.Y"
SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "d.m.Y, H:i"
SHORT_DATETIME_FORMAT = "d.m.Y, H:i"
TIME_FORMAT = "H:i"
