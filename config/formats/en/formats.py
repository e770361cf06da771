# English: "29 Nov 2026" and "29 Nov 2026, 14:00" everywhere (Django's default mixes
# "Nov. 29, 2026", "11/29/2026" and "2:30 p.m."; day-month-year reads the same on both sides
# of the Atlantic and matches the 24-hour times of the convoys' meetings).
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
