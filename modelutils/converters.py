"""The `<id:…>` path converter: a row id the database can hold (1 … MAX_ID). A larger number in
a path matches no URL, so it is a 404 like any unknown id, never an overflow in the database
(OverflowError on SQLite, out of range on PostgreSQL)."""

from modelutils import MAX_ID


class DbIdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= MAX_ID:
            raise ValueError(value)  # Django: this path does not match
        return number

    def to_url(self, value: int) -> str:
        return str(value)
