module.exports = require('../../tools/jest/config')(__dirname, 'unit');
