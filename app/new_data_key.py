"""`python -m app.new_data_key` prints a new GJY_DATA_KEY: made before any app is configured, since the app does
not start without one (`flask keys generate` needs a configured app)."""
from app.crypto import generate_key

if __name__ == "__main__":
    print(generate_key())
