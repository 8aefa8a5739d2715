"""Values shared by every mechanism: money, durations, calendars. Pure, no I/O."""
