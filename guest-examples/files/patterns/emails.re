^[a-z]+@[a-z]+\.[a-z]{2,}$
# match: guest@example.org
