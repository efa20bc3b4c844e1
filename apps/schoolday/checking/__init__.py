"""Checking of the works: the school gives each class's works to its experts (never a class the
expert teaches); an expert's account sees and enters only the codes given to it; coordinators
read the progress per school (docs/school-day.md, «Проверка работ»)."""
