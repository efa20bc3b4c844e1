"""timetable"""
