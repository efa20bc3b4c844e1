"""Classes: the class register of each school and campaign, the federal assignment of subjects to
classes, and each class's works and days (the ВПР as it runs since 2025; docs/classes.md)."""
