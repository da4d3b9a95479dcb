def generate_uuid():
    return "uuid"
