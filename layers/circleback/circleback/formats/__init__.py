"""Reading contact, touch and life-event files into validated rows."""
