"""The school profile: grades, classes and the contact details the school keeps."""
